# Sourced by scripts/setup and scripts/test: the Pythons ohctl is tested on, and where each one is.
# OHCTL_PYTHONS narrows the list on a machine that lacks one (the default is every supported Python;
# CI uses the default). OHCTL_PYTHON_3_10 (and so on) names an interpreter explicitly.
OHCTL_PYTHONS="${OHCTL_PYTHONS:-3.10 3.11 3.12 3.13}"

# find_python 3.10: the path of a Python 3.10 (explicit variable, python3.10 on PATH, pyenv), or nothing.
find_python() {
  local want=$1 var="OHCTL_PYTHON_${1/./_}" root candidate
  root="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"
  for candidate in "${!var:-}" "$(command -v "python$want" 2>/dev/null)" \
      $(ls -d "$root"/versions/"$want".*/bin/python 2>/dev/null | sort -V -r); do
    [ -n "$candidate" ] || continue
    if [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# env_for 3.10: the environment that runs the tests on that Python (.venv when it is that version).
env_for() {
  if [ "$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$1" ]; then
    echo .venv
  else
    echo ".venvs/$1"
  fi
}
