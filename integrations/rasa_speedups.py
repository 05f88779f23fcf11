"""Speed-ups for the Rasa server process (installed when Rasa loads our REST channel).

Rasa 3.6 checks every action server answer with ``jsonschema.validate(result, schema)``
(``RemoteAction._validate_action_result``). ``jsonschema.validate`` first checks the *schema*
against the JSON Schema meta-schema and builds a new validator, on every call; Rasa's events
schema is large, so that costs about 250 ms of CPU per custom action call on the project machine,
and a complaint turn makes two or three such calls (form validation, then the question). A bare
Rasa assistant without custom actions never pays it.

:func:`install` replaces that method with one that validates against the same schema with a
validator built (and the schema checked) once. The answer is checked exactly as before, and an
invalid answer raises the same ``ValidationError`` with Rasa's explanation appended.
Installing is idempotent; with a Rasa version whose method is not the one measured, nothing is
changed and a warning is logged.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Optional

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_installed = False
SUPPORTED_RASA = "3.6."


def _cached_validator() -> Any:
    """A validator for Rasa's action response schema, built and checked once."""
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def install() -> bool:
    """Patch Rasa's action response validation; True when the patch is (now) in place."""
    global _installed
    with _lock:
        if _installed:
            return True
        import rasa
        from jsonschema import ValidationError
        from jsonschema.exceptions import best_match
        from rasa.core.actions.action import RemoteAction
        from rasa.shared.constants import DOCS_BASE_URL

        if not rasa.__version__.startswith(SUPPORTED_RASA):
            logger.warning("rasa %s: action response validation left as it is", rasa.__version__)
            return False
        validator: Optional[Any] = None

        def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
            nonlocal validator
            if validator is None:
                validator = _cached_validator()
            # What jsonschema.validate does after checking the schema: raise the best-matching error.
            error = best_match(validator.iter_errors(result))
            try:
                if error is not None:
                    raise error
                return True
            except ValidationError as e:
                e.message += (
                    ". Failed to validate Action server response from API, "
                    "make sure your response from the Action endpoint is valid. "
                    "For more information about the format visit "
                    f"{DOCS_BASE_URL}/custom-actions"
                )
                raise e

        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        _installed = True
        logger.debug("installed cached validation of action server answers")
        return True
