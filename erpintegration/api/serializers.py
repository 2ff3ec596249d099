"""Response shapes shared by every API app (documented once in /openapi.json)."""
from rest_framework import serializers


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
