"""Tenant lifecycle: provisioning, the registry, credentials, dropping (docs/tenants.md).

Each command is a sequence of recorded, idempotent steps (:mod:`trueup.tenants.steps`): a
failure or a killed process leaves the tenant at a named phase that the command's ``--resume``
(or a second run) continues from.
"""
