#!/bin/sh
# 党建工作平台 dangjian @VERSION@ 离线安装（Python @PYTHON_VERSION@，@PLATFORM@）
#
#   ./install.sh [安装目录]        默认 /opt/dangjian（或 $DANGJIAN_HOME）
#
# 在 <安装目录>/.venv 建一个 Python 虚拟环境，只用本目录 wheels/ 里的安装包安装：不连网、不用
# 软件源（pip --isolated --no-index --find-links wheels/，也不读本机的 pip 配置）。
# 对同一目录再运行一次即升级；数据（var/，或 DANGJIAN_VAR_DIR）不动。
# Creates <target>/.venv and installs from wheels/ only: no index, no network, no pip
# configuration of this machine. Run again on the same directory to upgrade.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-${DANGJIAN_HOME:-/opt/dangjian}}
WANT=@PYTHON_VERSION@
VERSION=@VERSION@

fail() {
  echo "安装失败：$*" >&2
  exit 1
}

# 需要与安装包相同版本的 Python（$PYTHON，否则 python$WANT，否则 python3）。
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if command -v "python$WANT" >/dev/null 2>&1; then PY=python$WANT; else PY=python3; fi
fi
command -v "$PY" >/dev/null 2>&1 || fail "找不到 Python $WANT（$PY），请先安装 python$WANT 与 python$WANT-venv"
HAVE=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$HAVE" = "$WANT" ] || fail "本安装包适用于 Python $WANT，而 $PY 是 $HAVE；请用 PYTHON=/path/to/python$WANT ./install.sh"

# 安装包完整性（SHA256SUMS）。
if command -v sha256sum >/dev/null 2>&1; then
  (cd "$HERE" && sha256sum --check --quiet --strict SHA256SUMS) ||
    fail "文件校验不通过（SHA256SUMS），安装包可能不完整或被改动，请重新拷贝"
else
  echo "注意：本机没有 sha256sum，跳过文件校验" >&2
fi

VENV=$TARGET/.venv
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV" || fail "无法创建虚拟环境 $VENV（Debian/Ubuntu 请安装 python$WANT-venv）"
fi

# --force-reinstall: an upgrade gets exactly this archive's files, even where a version number
# did not change (dangjian's own, between two builds of one version).
PIP_CONFIG_FILE=/dev/null "$VENV/bin/python" -m pip install \
  --isolated --no-index --find-links "$HERE/wheels" --no-cache-dir \
  --disable-pip-version-check --no-warn-script-location --quiet \
  --force-reinstall "dangjian==$VERSION" ||
  fail "pip 安装出错（见上方信息）"

cat <<MSG
已安装 dangjian $VERSION 到 $VENV
命令：$VENV/bin/dangjian（即 manage.py）。不设 DANGJIAN_VAR_DIR、DANGJIAN_STATIC_ROOT 时，
数据在 $TARGET/var，静态文件在 $TARGET/staticfiles。
接下来（详见 README.md 与 docs/zh/deploy.md）：
  export DANGJIAN_ENV=production DANGJIAN_SECRET_KEY=<随机长字符串> DANGJIAN_ALLOWED_HOSTS=<域名>
  $VENV/bin/dangjian migrate
  $VENV/bin/dangjian collectstatic --noinput
  $VENV/bin/dangjian check --deploy
MSG
