#!/usr/bin/env python3
"""Validates what Miadi's live clients send against the providers' official SDK types.

Usage: validate-provider-messages.py openai|gemini FILE.jsonl
Each line of FILE is one client message as sent on the wire. OpenAI Realtime events are
checked with openai's `RealtimeClientEvent` (GA interface), Gemini Live messages with
google-genai's `LiveClientMessage`. A field the SDK type does not know is an error too (the
SDK models accept extra fields silently; the services do not). Exit 0 when every line
validates, 1 otherwise (each failure printed with its line number), 2 on bad usage or when
the SDKs are not installed (pip install openai google-genai).
"""
import json
import sys
import typing

try:
    import pydantic
    from openai.types.realtime import RealtimeClientEvent
    from google.genai import types as genai_types
except ImportError as error:  # pragma: no cover
    print(f"validate-provider-messages: {error}; pip install openai google-genai", file=sys.stderr)
    sys.exit(2)


def extras(model, path="$"):
    """Paths of fields a pydantic model kept as extra (unknown to the SDK type)."""
    found = []
    if isinstance(model, pydantic.BaseModel):
        for key in (model.__pydantic_extra__ or {}):
            found.append(f"{path}.{key}")
        for name in type(model).model_fields:
            found += extras(getattr(model, name), f"{path}.{name}")
    elif isinstance(model, (list, tuple)):
        for i, item in enumerate(model):
            found += extras(item, f"{path}[{i}]")
    elif isinstance(model, dict):
        for key, value in model.items():
            found += extras(value, f"{path}.{key}")
    return found


def openai_event_types():
    """The GA client event models by their `type` literal."""
    members = typing.get_args(typing.get_args(RealtimeClientEvent)[0]) or typing.get_args(RealtimeClientEvent)
    table = {}
    for model in members:
        literal = model.model_fields["type"].annotation
        for value in typing.get_args(literal):
            table[value] = model
    return table


OPENAI_EVENTS = None


def validate_openai(message):
    global OPENAI_EVENTS
    OPENAI_EVENTS = OPENAI_EVENTS or openai_event_types()
    model = OPENAI_EVENTS.get(message.get("type"))
    if model is None:
        return [f"$.type {message.get('type')!r} is not a GA client event ({', '.join(sorted(OPENAI_EVENTS))})"]
    return extras(model.model_validate(message))


def validate_gemini(message):
    problems = []
    # The SDK's converter writes the connect config's realtime_input_config into the setup
    # (setup.realtimeInputConfig), a field its LiveClientSetup type does not carry: checked
    # against its own type.
    setup = message.get("setup")
    if isinstance(setup, dict) and "realtimeInputConfig" in setup:
        setup = dict(setup)
        problems += extras(genai_types.RealtimeInputConfig.model_validate(setup.pop("realtimeInputConfig")), "$.setup.realtimeInputConfig")
        message = dict(message, setup=setup)
    parsed = genai_types.LiveClientMessage.model_validate(message)
    problems += extras(parsed)
    # Exactly one of the message kinds, as the service requires.
    kinds = [k for k in ("setup", "client_content", "realtime_input", "tool_response") if getattr(parsed, k) is not None]
    if len(kinds) != 1:
        problems.append(f"$ has {len(kinds)} message kinds {kinds}, not one")
    if parsed.realtime_input is not None:
        fields = [k for k, v in parsed.realtime_input.model_dump(exclude_none=True).items()]
        if len(fields) != 1:
            problems.append(f"$.realtimeInput has {fields}, not one field")
    if parsed.tool_response is not None:
        for i, response in enumerate(parsed.tool_response.function_responses or []):
            if not response.id:
                problems.append(f"$.toolResponse.functionResponses[{i}] has no id")
    return problems


def main(argv):
    if len(argv) != 3 or argv[1] not in ("openai", "gemini"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    check = validate_openai if argv[1] == "openai" else validate_gemini
    failures = 0
    with open(argv[2], encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                problems = check(json.loads(line))
            except (ValueError, pydantic.ValidationError) as error:
                problems = [str(error).replace("\n", " ")]
            for problem in problems:
                failures += 1
                print(f"{argv[2]}:{number}: {problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
