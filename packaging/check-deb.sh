#!/usr/bin/env bash
# check-deb.sh [DEB]: check Potok's .deb as a Debian user would meet it. Run
# as root, after `make deb` (DEB defaults to the newest dist/potok_*_amd64.deb).
#
# 1. On this machine: the package's listing and control fields, lintian, and
#    desktop-file-validate / appstreamcli on the files as packaged.
# 2. In a fresh minimal Debian 12 (debootstrap, kept as $DEB_ROOT.base and
#    copied anew to $DEB_ROOT each run, so every run starts clean):
#    `apt-get install ./potok_*.deb`, the files in place, every library the
#    binary needs present, `potok get` fetching from `potok serve-demo`, and
#    then, with Xvfb and ImageMagick added for the check only, the window of
#    `potok --demo` open and photographed, in English and with
#    LANG=ru_RU.UTF-8 in Russian.
#
# Environment: DEB_ROOT (/work/deb-root), MIRROR (the first Debian bookworm
# mirror in /etc/apt/sources.list*), OUT (dist/check-deb: the screenshot),
# RECOMMENDS=yes to install with apt's recommends (by default they are left
# out, which proves the Depends field alone is enough).
# Takes a few minutes; not part of `make test`.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "check-deb.sh: run as root (debootstrap, chroot, mount)" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:-$(ls -t "$repo"/dist/potok_*_amd64.deb 2>/dev/null | head -1)}
[ -f "$deb" ] || { echo "check-deb.sh: no .deb (run make deb first)" >&2; exit 2; }
deb=$(readlink -f "$deb")
root=${DEB_ROOT:-/work/deb-root}
out=${OUT:-$repo/dist/check-deb}
mkdir -p "$out"

# The host tools of part 1, and debootstrap, from Debian.
"$repo"/bench/apt-ensure.sh lintian desktop-file-utils appstream debootstrap

# mirror: MIRROR, or the first URI of the sources that list bookworm (not
# the security suite, which has no installer tree for debootstrap). Reads
# both the one-line format (sources.list, *.list) and deb822 (*.sources).
mirror() {
	if [ -n "${MIRROR:-}" ]; then echo "$MIRROR"; return; fi
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { if ($(i+1) == "bookworm") print $i; break } }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
			/(^|\n)Suites:[^\n]*[ \t]bookworm([ \t]|\n|$)/ && !/(^|\n)Enabled: *no/ {
				for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); print u[2] } }' "$f"
	done
}

echo "== the package"
dpkg-deb -I "$deb"
dpkg-deb -c "$deb"

echo "== lintian"
# --fail-on error: warnings and notes are reported, errors fail the check.
lintian --display-info --pedantic --fail-on error "$deb"

echo "== desktop-file-validate and appstreamcli, on the packaged files"
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
desktop-file-validate "$unpacked"/usr/share/applications/io.github.potok.desktop
appstreamcli validate --no-net --pedantic "$unpacked"/usr/share/metainfo/io.github.potok.metainfo.xml

echo "== a fresh Debian 12 in $root"
if [ ! -x "$root.base/usr/bin/apt-get" ]; then
	m=$(mirror | head -1)
	[ -n "$m" ] || { echo "check-deb.sh: no bookworm mirror in /etc/apt/sources.list*; set MIRROR" >&2; exit 1; }
	echo "debootstrap --variant=minbase bookworm from $m"
	rm -rf "$root.base"
	# Its few hundred lines go to a log, shown if it fails.
	debootstrap --variant=minbase bookworm "$root.base" "$m" >"$out/debootstrap.log" 2>&1 ||
		{ tail -20 "$out/debootstrap.log"; echo "check-deb.sh: debootstrap from $m failed (log: $out/debootstrap.log)" >&2; rm -rf "$root.base"; exit 1; }
fi
# A chroot left mounted by an interrupted run would make rm -rf reach the
# host's /dev and /proc: refuse rather than guess.
if grep -q " $root/" /proc/mounts; then
	echo "check-deb.sh: something is still mounted under $root (see /proc/mounts); unmount it first" >&2
	exit 1
fi
rm -rf "$root"
cp -a "$root.base" "$root"

unmount() {
	umount -R "$root/dev" 2>/dev/null || true
	umount "$root/sys" 2>/dev/null || true
	umount "$root/proc" 2>/dev/null || true
	rm -rf "$unpacked"
}
trap unmount EXIT
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
# /dev from the host, as a slave so that unmounting it here never reaches
# the host's own mounts.
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"

# The X display for the window: a number no X server on the host uses,
# since the chroot shares the host's abstract sockets but not its /tmp.
display=""
for n in $(seq 90 199); do
	if [ ! -e "/tmp/.X$n-lock" ] && ! grep -q "@/tmp/.X11-unix/X$n\$" /proc/net/unix; then display=$n; break; fi
done
[ -n "$display" ] || { echo "check-deb.sh: no free X display number" >&2; exit 1; }

recommends=--no-install-recommends
[ "${RECOMMENDS:-}" = yes ] && recommends=""

# Inside the chroot, as a user would: install, look, run.
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive DEB="/tmp/$(basename "$deb")" RECOMMENDS="$recommends" DISPLAYNUM="$display" \
	bash -s <<'INSIDE'
set -euo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
apt-get update -qq
echo "== apt-get install $RECOMMENDS $DEB"
apt-get install -y $RECOMMENDS "$DEB"

echo "== files in place"
dpkg -L potok
for f in /usr/bin/potok /usr/share/applications/io.github.potok.desktop \
	/usr/share/icons/hicolor/48x48/apps/io.github.potok.png /usr/share/icons/hicolor/256x256/apps/io.github.potok.png \
	/usr/share/metainfo/io.github.potok.metainfo.xml /usr/share/doc/potok/copyright /usr/share/man/man1/potok.1.gz; do
	[ -s "$f" ] || { echo "missing: $f"; exit 1; }
done

echo "== libraries"
# Linked ones (ldd), and the ones GLFW opens at run time with dlopen, which
# no ldd shows: these are why the package depends on libxcursor1 and the rest.
if ldd /usr/bin/potok | grep 'not found'; then exit 1; fi
for lib in libGL.so.1 libX11.so.6 libXcursor.so.1 libXrandr.so.2 libXinerama.so.1 libXi.so.6 libXxf86vm.so.1; do
	ldconfig -p | grep -q "^[[:space:]]$lib " || { echo "missing library $lib"; exit 1; }
done
echo "all present"

echo "== potok get from potok serve-demo"
work=$(mktemp -d)
potok serve-demo -files 4 -size 256KiB -latency 10ms -rate 0 >"$work/list.txt" 2>"$work/serve.log" & server=$!
for _ in $(seq 100); do [ "$(wc -l <"$work/list.txt")" -ge 4 ] && break; sleep 0.1; done
cat "$work/list.txt"
potok get -plain -j 4 -o "$work/dl" -i "$work/list.txt"
kill $server
n=$(find "$work/dl" -type f -size 262144c | wc -l)
[ "$n" = 4 ] || { echo "expected 4 files of 256 KiB, found $n"; ls -l "$work/dl"; exit 1; }
echo "4 files of 262144 bytes"

echo "== the window (xvfb, imagemagick and x11-utils installed for this check only)"
apt-get install -y -qq --no-install-recommends xvfb xauth imagemagick x11-utils >/dev/null
# Once as the chroot is set up (no locale: English), once as a Russian
# desktop would start it.
for run in C.UTF-8:potok-demo ru_RU.UTF-8:potok-demo-ru; do
home=$(mktemp -d)
LANG=${run%%:*} xvfb-run -n "$DISPLAYNUM" -s "-screen 0 1100x760x24" bash -c '
	set -euo pipefail
	HOME="$0" potok --demo >"$0/potok.log" 2>&1 & pid=$!
	# Wait for the window by name, not for a fixed time: the first frame of
	# a software-rendered GL window takes a few seconds on a busy machine.
	for _ in $(seq 120); do
		xwininfo -root -tree | grep -q "\"Potok\"" && break
		kill -0 $pid || { cat "$0/potok.log"; exit 1; }
		sleep 0.5
	done
	xwininfo -root -tree | grep "\"Potok\""
	sleep 4 # the demo list fills in and its first frame is drawn
	import -window root "/tmp/$1.png"
	kill $pid; wait $pid || true
	echo "potok --demo log:"; cat "$0/potok.log"
' "$home" "${run#*:}"
done
INSIDE

cp "$root/tmp/potok-demo.png" "$root/tmp/potok-demo-ru.png" "$out/"
echo "== all checks passed; the window: $out/potok-demo.png, in Russian $out/potok-demo-ru.png"
