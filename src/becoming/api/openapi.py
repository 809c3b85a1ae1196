"""Write the API's OpenAPI schema: `python -m becoming.api.openapi docs/openapi.json`.

The committed file is checked by a test, so the schema in the repository never drifts from
the code.
"""

import json
import os
import sys


def schema() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "becoming.settings")
    import django

    django.setup()
    from becoming.api.core import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


if __name__ == "__main__":
    text = json.dumps(schema(), indent=1, sort_keys=True) + "\n"
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
