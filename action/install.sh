#!/bin/sh
# Installs a prebuilt relctl from a GitHub release, for relctl's action.
#
# Plain POSIX sh: it runs under bash on Linux and macOS runners and under
# Git Bash's sh on Windows runners. It needs curl (or wget), tar and a
# sha256 tool (sha256sum, shasum or openssl); jq is not needed.
#
# Environment (all optional):
#   RELCTL_VERSION      v1.2.3, 1.2.3 or "latest"; "" resolves RELCTL_ACTION_REF
#   RELCTL_ACTION_REF   the ref the action was used at: v1.2.3 (that release),
#                       v1 or v1.2 (the newest release of that line), else latest
#   RELCTL_REPOSITORY   owner/name holding the releases (default relctl/relctl)
#   GITHUB_SERVER_URL   web root for downloads (default https://github.com)
#   GITHUB_API_URL      API root for version lookups (default https://api.github.com)
#   GITHUB_TOKEN        sent to the API only, never to the download host
#   RUNNER_OS, RUNNER_ARCH    the platform (default: uname)
#   RUNNER_TOOL_CACHE   where installs are kept (default ~/.cache/relctl-tools)
#   RUNNER_TEMP         scratch space (default /tmp)
#   GITHUB_PATH, GITHUB_OUTPUT  the action's files: bin dir, path= and version=
#
# Archives are named as .goreleaser.yaml names them:
#   relctl_<version>_<os>_<arch>.tar.gz, listed in relctl_<version>_checksums.txt
set -eu

fail() {
	echo "relctl install: $*" >&2
	exit 1
}

repo=${RELCTL_REPOSITORY:-relctl/relctl}
server=${GITHUB_SERVER_URL:-https://github.com}
server=${server%/}
api=${GITHUB_API_URL:-https://api.github.com}
api=${api%/}

# --- platform ---------------------------------------------------------------
os=${RUNNER_OS:-$(uname -s)}
arch=${RUNNER_ARCH:-$(uname -m)}
case $os in
Linux | linux) os=linux ;;
macOS | Darwin | darwin) os=darwin ;;
Windows | MINGW* | MSYS* | CYGWIN* | windows) os=windows ;;
*) os="unsupported:$os" ;;
esac
case $arch in
X64 | x86_64 | amd64) arch=amd64 ;;
ARM64 | aarch64 | arm64) arch=arm64 ;;
*) arch="unsupported:$arch" ;;
esac
case "$os/$arch" in
*unsupported:*)
	fail "relctl publishes no binary for ${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}: releases cover linux, darwin and windows on amd64 and arm64. Build it instead: go install github.com/relctl/relctl/cmd/relctl@latest"
	;;
esac

# --- transport --------------------------------------------------------------
# fetch URL FILE [auth]: the token goes to the API only; downloads redirect to
# a storage host that must not see it.
fetch() {
	if command -v curl >/dev/null 2>&1; then
		if [ "${3:-}" = auth ] && [ -n "${GITHUB_TOKEN:-}" ]; then
			curl -fsSL --retry 3 -H "Authorization: Bearer $GITHUB_TOKEN" -o "$2" "$1"
		else
			curl -fsSL --retry 3 -o "$2" "$1"
		fi
	elif command -v wget >/dev/null 2>&1; then
		if [ "${3:-}" = auth ] && [ -n "${GITHUB_TOKEN:-}" ]; then
			wget -q --header "Authorization: Bearer $GITHUB_TOKEN" -O "$2" "$1"
		else
			wget -q -O "$2" "$1"
		fi
	else
		fail "neither curl nor wget is installed"
	fi
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d' ' -f1
	elif command -v openssl >/dev/null 2>&1; then
		openssl dgst -sha256 "$1" | sed 's/.*= *//'
	else
		fail "no sha256 tool (sha256sum, shasum or openssl)"
	fi
}

tmp=$(mktemp -d "${RUNNER_TEMP:-/tmp}/relctl-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- version ----------------------------------------------------------------
# tag_names FILE: the tag_name values of a release or a list of releases,
# newest first as GitHub lists them. GitHub's JSON has one "tag_name" per
# release and tag names cannot hold a quote, so sed suffices.
tag_names() {
	tr ',' '\n' <"$1" | sed -n 's/^[[:space:]{]*"tag_name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
}

latest() {
	fetch "$api/repos/$repo/releases/latest" "$tmp/latest.json" auth ||
		fail "cannot find the latest release of $repo at $api"
	tag_names "$tmp/latest.json" | head -n 1
}

# newest_of LINE: the newest release tagged LINE.x (no prerelease suffix).
newest_of() {
	fetch "$api/repos/$repo/releases?per_page=100" "$tmp/releases.json" auth ||
		fail "cannot list the releases of $repo at $api"
	tag_names "$tmp/releases.json" | grep -E "^$(echo "$1" | sed 's/\./\\./g')\.[0-9.]+\$" | head -n 1
}

want=${RELCTL_VERSION:-}
if [ -z "$want" ]; then
	ref=${RELCTL_ACTION_REF:-}
	if echo "$ref" | grep -Eq '^v[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$'; then
		want=$ref
	elif echo "$ref" | grep -Eq '^v[0-9]+(\.[0-9]+)?$'; then
		want=$(newest_of "$ref")
		[ -n "$want" ] || fail "$repo has no release in the $ref line"
	else
		want=latest
	fi
fi
if [ "$want" = latest ]; then
	want=$(latest)
	[ -n "$want" ] || fail "cannot read the latest release of $repo"
fi
case $want in
v*) tag=$want ;;
*) tag=v$want ;;
esac
version=${tag#v}

# --- tool cache -------------------------------------------------------------
# The layout of @actions/tool-cache: <cache>/<tool>/<version>/<arch>, complete
# once <arch>.complete exists, so a half-written install is never reused.
cache=${RUNNER_TOOL_CACHE:-${HOME:-/tmp}/.cache/relctl-tools}
cache_arch=$arch
[ "$arch" = amd64 ] && cache_arch=x64 # Node's os.arch(), which tool-cache uses
dir="$cache/relctl/$version/$cache_arch"
exe=relctl
[ "$os" = windows ] && exe=relctl.exe

if [ -f "$dir.complete" ] && [ -x "$dir/$exe" ]; then
	echo "relctl $version: from the tool cache ($dir)"
else
	archive="relctl_${version}_${os}_${arch}.tar.gz"
	sums="relctl_${version}_checksums.txt"
	base="$server/$repo/releases/download/$tag"
	fetch "$base/$sums" "$tmp/$sums" ||
		fail "$repo release $tag has no $sums at $base (is $tag a relctl release?)"
	fetch "$base/$archive" "$tmp/$archive" ||
		fail "$repo release $tag has no $archive at $base/$archive"
	expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/$sums")
	[ -n "$expected" ] || fail "$sums of release $tag does not list $archive"
	actual=$(sha256 "$tmp/$archive")
	[ "$expected" = "$actual" ] ||
		fail "checksum mismatch for $archive of release $tag: $sums says sha256 $expected, the download is sha256 $actual. Nothing was installed."
	mkdir -p "$tmp/x"
	tar -xzf "$tmp/$archive" -C "$tmp/x" ||
		fail "$archive of release $tag is not a readable tar.gz"
	[ -f "$tmp/x/$exe" ] || fail "$archive of release $tag holds no $exe"
	rm -rf "$dir" "$dir.complete"
	mkdir -p "$dir"
	cp "$tmp/x/$exe" "$dir/$exe"
	chmod 0755 "$dir/$exe"
	: >"$dir.complete"
	echo "relctl $version: installed $archive (sha256 $actual) into $dir"
fi

if [ -n "${GITHUB_PATH:-}" ]; then
	echo "$dir" >>"$GITHUB_PATH"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	{
		echo "path=$dir/$exe"
		echo "version=$version"
	} >>"$GITHUB_OUTPUT"
fi
