"""`cw.profile`: the user behind the token."""

from __future__ import annotations

from ._resource import Resource
from .models import Profile


class ProfileResource(Resource):
    async def get(self) -> Profile:
        path = "/api/v1/profile"
        return self._parse(Profile, await self._call("GET", path), "GET", path)
