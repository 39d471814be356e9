#!/usr/bin/env bash
# The step of the pakkeforlop GitHub Action (action.yml at the top of the repository).
#
# Installs the kit into its own virtual environment (from the action's own checkout, or from
# INPUT_PACKAGE: a wheel, a folder or a pip requirement), runs one check that writes every
# report asked for, and hands the exit status to the workflow: 0 no finding fails, 1 findings
# fail (the step fails unless INPUT_FAIL_ON_FINDINGS is false), 2 usage error, 3 the kit's
# own error. With GITHUB_ACTIONS=true the findings are annotations on the pull request.
#
# Inputs (environment): INPUT_PATHS (required, space-separated), INPUT_ARGS, INPUT_SARIF,
# INPUT_JUNIT, INPUT_HTML, INPUT_JSON, INPUT_PYTHON, INPUT_PACKAGE, INPUT_FAIL_ON_FINDINGS.
# Outputs (GITHUB_OUTPUT): exit-code, sarif, junit, html, json.
set -euo pipefail

: "${INPUT_PATHS:?the action needs paths: the export folders or files to check}"
python="${INPUT_PYTHON:-python3}"
package="${INPUT_PACKAGE:-${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is set by GitHub}}"
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/pakkeforlop-venv"

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$package"

read -r -a paths <<< "$INPUT_PATHS"
read -r -a extra <<< "${INPUT_ARGS:-}"
arguments=(check "${paths[@]}")
for format in sarif junit html json; do
  variable="INPUT_${format^^}"
  file="${!variable:-}"
  if [ -n "$file" ]; then
    arguments+=("--output-$format" "$file")
  fi
done
arguments+=("${extra[@]}")

status=0
"$venv/bin/pakkeforlop" "${arguments[@]}" || status=$?

{
  echo "exit-code=$status"
  echo "sarif=${INPUT_SARIF:-}"
  echo "junit=${INPUT_JUNIT:-}"
  echo "html=${INPUT_HTML:-}"
  echo "json=${INPUT_JSON:-}"
} >> "${GITHUB_OUTPUT:-/dev/null}"

if [ "$status" -eq 1 ] && [ "${INPUT_FAIL_ON_FINDINGS:-true}" = "false" ]; then
  exit 0
fi
exit "$status"
