import pytest

from integrations.mapping import jsonata as expressions


@pytest.fixture
def engine(request):
    """Run the test with the JSONata engine named by the parameter, then restore the configuration."""
    saved = expressions.current_config()
    expressions.configure(engine=getattr(request, "param", saved.engine))
    yield expressions.current_config().engine
    expressions.configure(**saved.__dict__)
