"""The mapping engine: pure Python, no Django imports (see tests/test_architecture.py)."""
