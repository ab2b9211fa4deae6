from typing import Any
from django.test import Client


def test_smoke(bench: dict[str, Any]) -> None:
    c = Client()
    out = []
    for url in ["/en/benchmarks/rounds/example-intercultural-2026/", "/en/benchmarks/entities/EXAMPLE-A/", f"/en/benchmarks/assessments/{bench['a'].pk - 0}/"]:
        r = c.get(url)
        out.append(f"==== {url} {r.status_code}\n" + r.content.decode())
    c.force_login(bench["users"]["coord_a"])
    r = c.get(f"/en/benchmarks/assessments/{bench['a'].pk}/")
    out.append(r.content.decode())
    r = c.get(f"/en/benchmarks/assessments/{bench['a'].pk}/report.pdf")
    out.append(str(r.status_code) + r["Content-Type"])
    open("/tmp/lb/pages.html", "w").write("\n".join(out))
