"""Operations change state: they validate, add and flush, and never commit (one commit per request or task).

Views, the CLI, the API and background tasks all call these functions.
"""
