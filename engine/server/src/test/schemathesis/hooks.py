"""schemathesis hooks for ApiSchemaFuzzIT (loaded through SCHEMATHESIS_HOOKS; docs/api.md "API schema fuzzing")."""
import re

import schemathesis

# What the server accepts as a member address (ClusterAdmin: Java's ASCII \d), and the loopback addresses a learner
# added by the fuzzer may have. The dictionaries of schemathesis.toml do not apply to every phase (the coverage
# phase sends the document's example "aion-3.aion-peers.db.svc:7072"), so every call is checked here: an address
# the server would accept is moved to loopback, and the node never connects outside 127.0.0.0/8.
ACCEPTED = re.compile(r"[a-zA-Z0-9_.-]+:[0-9]{1,5}", re.ASCII)
LOOPBACK = re.compile(r"127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}:[0-9]{1,5}", re.ASCII)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if case.operation.path not in ("/v1/cluster/learners", "/v1/cluster/nodes") or not isinstance(case.body, dict):
        return
    for field in ("raftAddress", "httpAddress"):
        value = case.body.get(field)
        if isinstance(value, str) and ACCEPTED.fullmatch(value) and not LOOPBACK.fullmatch(value):
            case.body[field] = "127.0.0.1:9"
