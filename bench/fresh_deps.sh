#!/usr/bin/env bash
# How long `make deps` and `make deps-peers` take on a fresh Debian 12: debootstraps a
# minimal bookworm (with git and make, what a clone needs) into a scratch folder, clones
# this repository into it, and times each target there, counting the packages each
# installs and the megabytes it downloads. Needs root (debootstrap, chroot, mounts) and
# the Debian mirror; takes a few minutes and about 3 GB of disk, removed on exit.
#
#   $ bench/fresh_deps.sh
#   fresh Debian 12 (debootstrap --variant=minbase, with git and make) from <mirror>
#     debootstrap                  <S> s
#     make deps                    <S> s, <P> packages, <MB> MB downloaded
#     make deps-peers              <S> s, <P> packages, <MB> MB downloaded
#   the times include the downloads from that mirror: on a slower link, their share grows
#
# Settings (environment): MIRROR (debootstrap's, http://deb.debian.org/debian; apt-get
# inside uses the host's sources), SCRATCH (the folder the scratch folder is made in,
# /var/tmp).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${MIRROR:-http://deb.debian.org/debian}
die() { echo "fresh_deps: $*" >&2; exit 2; }

[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot and mounts)"
[[ -z $(git -C "$root" status --porcelain --untracked-files=no) ]] ||
  die "the working tree has changes: a fresh clone times the committed scripts, so commit first"
if ! command -v debootstrap >/dev/null; then
  echo "fresh_deps: installing debootstrap with apt-get (needed for this measurement only)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
fi

scratch=$(mktemp -d "${SCRATCH:-/var/tmp}/hammertime-fresh.XXXXXX") ||
  die "cannot make a scratch folder in ${SCRATCH:-/var/tmp}"
fresh=$scratch/debian
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

seconds_of() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f", e - s}'; }

started=$(date +%s.%N)
debootstrap --variant=minbase --include=git,make,ca-certificates bookworm "$fresh" "$mirror" \
  >"$scratch/debootstrap.log" 2>&1 || die "debootstrap failed: $(tail -2 "$scratch/debootstrap.log")"
debootstrap_s=$(seconds_of "$started")

# The host's apt sources and resolver, so that apt-get inside reaches the same mirror.
rm -f "$fresh/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$fresh/etc/apt/sources.list.d/" 2>/dev/null ||
  echo "deb $mirror bookworm main" >"$fresh/etc/apt/sources.list"
cp /etc/resolv.conf "$fresh/etc/resolv.conf"
for point in proc sys dev; do
  mount --rbind "/$point" "$fresh/$point"
  mounted+=("$fresh/$point")
done
git clone -q "$root" "$fresh/root/hammertime"

in_fresh() { chroot "$fresh" bash -c "cd /root/hammertime && $*"; }
archives_mb() { du -sm "$fresh/var/cache/apt/archives" | cut -f1; }
packages() { in_fresh "dpkg-query -W -f='\${Status}\n' | grep -c 'install ok installed'"; }

# time_target TARGET: sets took_s, new_packages and downloaded_mb.
time_target() {
  local before_mb before_packages start
  before_mb=$(archives_mb) before_packages=$(packages) start=$(date +%s.%N)
  in_fresh "make $1" >"$scratch/$1.log" 2>&1 || die "make $1 failed: $(tail -3 "$scratch/$1.log")"
  took_s=$(seconds_of "$start")
  new_packages=$(($(packages) - before_packages))
  downloaded_mb=$(($(archives_mb) - before_mb))
}

time_target deps
deps=("$took_s" "$new_packages" "$downloaded_mb")
time_target deps-peers
peers=("$took_s" "$new_packages" "$downloaded_mb")
# What the two targets installed is there.
in_fresh "command -v cmake g++ wrk chromium cargo erl elixir java node go >/dev/null" ||
  die "a tool is missing after make deps and make deps-peers"

echo "fresh Debian 12 (debootstrap --variant=minbase, with git and make) from $mirror"
printf '  %-28s %s s\n' debootstrap "$debootstrap_s"
printf '  %-28s %s s, %s packages, %s MB downloaded\n' "make deps" "${deps[@]}"
printf '  %-28s %s s, %s packages, %s MB downloaded\n' "make deps-peers" "${peers[@]}"
echo "the times include the downloads from that mirror: on a slower link, their share grows"
