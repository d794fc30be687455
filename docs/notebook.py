# Equilab from a notebook (or any Python): create a sweep, wait for it, load its metrics into pandas.
# Needs `requests` and `pandas`; EQUILAB_TOKEN = the admin token `npm run demo` prints.
import io
import os
import time

import pandas as pd
import requests

API = os.environ.get("EQUILAB_API", "http://127.0.0.1:4000/api")
session = requests.Session()
session.headers["Authorization"] = f"Bearer {os.environ['EQUILAB_TOKEN']}"


def call(method, path, **kwargs):
    response = session.request(method, f"{API}{path}", **kwargs)
    if not response.ok:  # 4xx bodies name the failing field: {"error": {"code", "message", "issues": [...]}}
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
    return response.json()


project = call("POST", "/projects", json={"name": "notebook"})

# Preview first: dryRun expands the search space without creating anything.
sweep_spec = {
    "projectId": project["id"],
    "name": "VICReg learning rate",
    "method": "VICReg",
    "baseConfig": {"width": 0.0625, "resolution": 32, "batch_size": 16, "epochs": 1, "mlp": "64-64"},
    "searchSpace": {"base_lr": {"distribution": "choice", "values": [1e-3, 3e-3]}},
    "strategy": "grid",
    "maxConcurrency": 1,
}
preview = call("POST", "/sweeps", json={**sweep_spec, "dryRun": True})
print("expands to", len(preview["runs"]), "runs:", [run["params"] for run in preview["runs"]])

sweep = call("POST", "/sweeps", json=sweep_spec)
while True:
    detail = call("GET", f"/sweeps/{sweep['id']}")
    statuses = [run["status"] for run in detail["runs"]]
    print(statuses)
    if all(status in ("succeeded", "failed", "canceled") for status in statuses):
        break
    time.sleep(5)

# Long format (run, key, step, value, time): pandas reads the export as is.
csv = session.get(f"{API}/sweeps/{sweep['id']}/metrics/export", params={"format": "csv"}).text
metrics = pd.read_csv(io.StringIO(csv), parse_dates=["time"])
loss = metrics[metrics.key == "Loss/Total loss"].pivot_table(index="step", columns="run", values="value")
print(loss.tail())
print(metrics.groupby(["run", "key"]).value.last().unstack().filter(like="R2"))
