#!/usr/bin/env bash
# Installs a CPU Vulkan driver so WebGPU (Dawn, the `webgpu` npm package) runs WGSL for real on a
# machine with no GPU: lavapipe from Mesa 25 (Debian bookworm-backports). Bookworm's own lavapipe
# (Mesa 22.3) is rejected by Dawn (it lacks shaderUniform*ArrayDynamicIndexing), so the newer one
# is downloaded with a private apt configuration and unpacked into a cache folder rather than
# installed: installing it would upgrade a dozen system packages. See notes/webgpu-on-cpu.md.
#
# Idempotent; run as root. Prints the environment lines to use and writes them to $DEST/env.sh:
#   eval "$(scripts/install-webgpu-driver.sh | grep ^export)"   or   . /opt/tessera-lavapipe/env.sh
#
# Env: TESSERA_LAVAPIPE_DIR (default /opt/tessera-lavapipe).
set -euo pipefail

DEST=${TESSERA_LAVAPIPE_DIR:-/opt/tessera-lavapipe}
ICD=$DEST/lvp_icd.json
ENV_FILE=$DEST/env.sh

log() { echo "install-webgpu-driver: $*" >&2; }

print_env() {
  cat "$ENV_FILE"
}

# Already done: the ICD file points at a library that exists, and the loader is installed.
if [ -f "$ICD" ] && [ -f "$ENV_FILE" ] && ldconfig -p | grep -q 'libvulkan.so.1 '; then
  lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$ICD")
  if [ -n "$lib" ] && [ -f "$lib" ]; then
    log "already installed in $DEST"
    print_env
    exit 0
  fi
fi

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it apt-get installs libvulkan1 and mesa-vulkan-drivers)"
  exit 1
fi
command -v apt-get >/dev/null || { log "needs apt-get (Debian/Ubuntu)"; exit 1; }

export DEBIAN_FRONTEND=noninteractive
arch=$(dpkg --print-architecture)
case "$arch" in
  amd64) triplet=x86_64-linux-gnu ;;
  arm64) triplet=aarch64-linux-gnu ;;
  *) log "unsupported architecture $arch"; exit 1 ;;
esac

# 1. The Vulkan loader and bookworm's Mesa: they bring libLLVM and the other libraries the newer
#    lavapipe links against.
if ! dpkg -s libvulkan1 mesa-vulkan-drivers >/dev/null 2>&1; then
  log "installing libvulkan1 mesa-vulkan-drivers"
  apt-get update -q >&2 || log "apt-get update failed; trying to install from the current lists"
  apt-get install -y -q --no-install-recommends libvulkan1 mesa-vulkan-drivers >&2
fi

# 2. The machine's own Debian mirror (deb822 sources first, then the one-line format).
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}

# 3. Download (not install) mesa-vulkan-drivers from bookworm-backports with a private apt config.
work=$DEST/apt
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $mirror bookworm-backports main" >"$work/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=$work/no-parts"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
  -o "APT::Architecture=$arch"
)
mkdir -p "$work/no-parts"
# apt downloads as the unprivileged _apt user where it can.
if id _apt >/dev/null 2>&1; then chown _apt "$work/debs"; fi
log "fetching the bookworm-backports package list from $mirror"
apt-get "${apt_opts[@]}" update -q >&2
rm -f "$work/debs"/*.deb
log "downloading mesa-vulkan-drivers from bookworm-backports"
(cd "$work/debs" && apt-get "${apt_opts[@]}" download -q mesa-vulkan-drivers/bookworm-backports >&2)
deb=$(ls "$work/debs"/mesa-vulkan-drivers_*.deb | head -n 1)

# 4. Unpack into the cache folder and point an ICD file at the extracted lavapipe.
root=$DEST/root
rm -rf "$root"
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"
lib=$root/usr/lib/$triplet/libvulkan_lvp.so
[ -f "$lib" ] || { log "libvulkan_lvp.so not found in $deb"; exit 1; }
api=$(cat "$root"/usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' | head -n 1 || true)
cat >"$ICD" <<EOF
{
  "file_format_version": "1.0.0",
  "ICD": {
    "library_path": "$lib",
    "api_version": "${api:-1.3.0}"
  }
}
EOF
missing=$(ldd "$lib" | grep 'not found' || true)
if [ -n "$missing" ]; then
  log "the extracted lavapipe misses libraries:"; echo "$missing" >&2; exit 1
fi

# NODEVICE_SELECT silences Mesa's device-select layer ("XDG_RUNTIME_DIR is invalid").
cat >"$ENV_FILE" <<EOF
export VK_ICD_FILENAMES=$ICD
export NODEVICE_SELECT=1
EOF
log "installed $(basename "$deb") into $DEST"
print_env
