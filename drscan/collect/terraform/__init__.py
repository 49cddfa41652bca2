"""Terraform JSON (`terraform show -json tfplan`, `terraform show -json` of a state, or a raw
.tfstate) -> drscan Resources, the plan's changes, and the DR regressions a plan would cause.

Collect stage, offline. Planned values become Resources with the attribute names the importers
give, so the same rules judge a plan before it is applied. Modules: document (reading and format
checks), configuration (expressions and provider regions), resolve (objects -> Resources,
folding settings resources, references), plan, state, regressions. The per-type mapping is in
drscan/normalize/terraform_{aws,gcp,azure}.py; the values view in normalize/terraform_values.py.
"""

from drscan.collect.terraform.plan import PlannedChange, TerraformPlan, load_plan
from drscan.collect.terraform.regressions import REGRESSION_RULES, Regression, dr_regressions
from drscan.collect.terraform.state import load_state
from drscan.normalize.terraform_values import UNKNOWN, TerraformValues, split_address

__all__ = ["PlannedChange", "TerraformPlan", "load_plan", "REGRESSION_RULES", "Regression", "dr_regressions",
           "load_state", "UNKNOWN", "TerraformValues", "split_address"]
