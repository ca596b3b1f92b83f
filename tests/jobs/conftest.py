from tests.api.conftest import (  # noqa: F401  (the published-content fixtures)
    edit,
    make_article,
    make_hospital,
    make_hotline,
    make_policy,
    official,
    publish,
    team,
    withdraw,
)
