"""factory_boy factories for every model tests need; prefer these over fixtures."""
import factory
from django.contrib.auth import get_user_model

from erpintegration.models import Membership, Organization, Role
from integrations.models import AppMapping, Integration, UseCase


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.EDITOR


class IntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Integration

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"ERP integration {n}")
    description = "Test integration"


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase

    integration = factory.SubFactory(IntegrationFactory)
    organization = factory.LazyAttribute(lambda o: o.integration.organization)
    name = factory.Sequence(lambda n: f"CustomerChanged{n}")
    slug = factory.Sequence(lambda n: f"customer-changed-{n}")
    type = "inbound"
    enabled = True
    configuration = factory.LazyFunction(
        lambda: {
            "entities": [
                {
                    "entity_schema": "contact",
                    "unique_ids": ["customer_number"],
                    "fields": [
                        {"attribute": "customer_number", "field": "customerId"},
                        {"attribute": "first_name", "field": "firstName"},
                    ],
                }
            ]
        }
    )


class AppMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppMapping

    integration = factory.SubFactory(IntegrationFactory)
    organization = factory.LazyAttribute(lambda o: o.integration.organization)
    app_id = factory.Sequence(lambda n: f"app-{n}")
    component_id = factory.Faker("uuid4")
