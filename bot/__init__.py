"""Webhook sidecar: answers Chatwoot customers while a conversation is the bot's, and hands off to humans."""
