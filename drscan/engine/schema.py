"""JSON Schemas for rule files and control catalogues. Unknown keys are errors."""

from drscan.model import CATEGORIES, SEVERITIES

# Conditions are validated by engine.predicates.compile_condition, which names the line.
RULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "version", "title", "severity", "category", "kinds", "controls", "condition", "remediation"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)+$"},
        "version": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 5},
        "description": {"type": "string"},
        "severity": {"enum": list(SEVERITIES)},
        "category": {"enum": list(CATEGORIES)},
        "kinds": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[a-z0-9_]+\\.[a-z0-9_]+\\.[a-z0-9_]+$"}},
        "controls": {"type": "object", "minProperties": 1,
                     "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
        "when": {"type": "object"},
        "condition": {"type": "object"},
        "remediation": {"type": "string", "minLength": 10},
        "references": {"type": "array", "items": {"type": "string"}},
        # Why the rule evidences a control: "framework:control" -> a one-line reason. Each key
        # must be one of the rule's own controls (checked on load).
        "justification": {"type": "object", "additionalProperties": {"type": "string", "minLength": 10}},
    },
}

RULE_FILE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rules"],
    "properties": {"rules": {"type": "array", "items": RULE}},
}

CATALOGUE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["framework", "title", "version", "themes"],
    "properties": {
        "framework": {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]*$"},
        "title": {"type": "string"},
        "version": {"type": "string"},
        "source": {"type": "string"},
        "themes": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "name", "controls"],
            "properties": {
                "id": {"type": "string"}, "name": {"type": "string"},
                "controls": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "additionalProperties": False, "required": ["id", "title"],
                    "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "manual": {"type": "boolean"}},
                }},
            },
        }},
    },
}
