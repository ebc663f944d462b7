"""axe-core (the npm package pinned in package.json) run inside headless Chromium.

`npm ci` (done by .ci/run) puts it in node_modules/; Playwright injects it into the page, past
the Content Security Policy (the context bypasses it for the injected script only: the page's
own scripts still obey the policy).
"""

import json

from django.conf import settings

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


def axe_version():
    lock = json.loads((settings.BASE_DIR / "package-lock.json").read_text())
    return lock["packages"]["node_modules/axe-core"]["version"]


def axe_violations(page):
    """Every axe rule that fails on ``page`` (all rules but the experimental ones), as
    readable lines: rule, impact, help and the failing elements."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` in {settings.BASE_DIR}"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["version"] == axe_version()
    return [describe(violation) for violation in result["violations"]]


def describe(violation):
    """One line: the rule, its impact and help, and (up to five of) the failing elements."""
    nodes = "; ".join(
        f"{' '.join(map(str, node['target']))} [{' '.join(node['failureSummary'].split())}]"
        for node in violation["nodes"][:5]
    )
    return f"{violation['id']} ({violation['impact']}): {violation['help']} -> {nodes}"
