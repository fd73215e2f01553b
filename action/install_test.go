package action

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
)

const token = "ghs_installtoken0123456789"

// fakeRelctl is the "binary" inside the test archives: a script, so the
// test can run what was installed.
func fakeRelctl(version string) []byte {
	return []byte("#!/bin/sh\necho relctl " + version + "\n")
}

func targz(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		data []byte
	}{{"LICENSE", []byte("MIT\n")}, {name, data}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.data))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// release seeds relctl/relctl release tag with one archive per platform
// given, and a checksums file in goreleaser's format. corrupt lists archives
// whose listed checksum is wrong.
func release(t *testing.T, gh *githubtest.Server, tag string, platforms []string, corrupt map[string]bool) {
	t.Helper()
	version := strings.TrimPrefix(tag, "v")
	var assets []githubtest.Asset
	var sums strings.Builder
	for _, p := range platforms {
		exe := "relctl"
		if strings.HasPrefix(p, "windows") {
			exe = "relctl.exe"
		}
		name := fmt.Sprintf("relctl_%s_%s.tar.gz", version, p)
		data := targz(t, exe, fakeRelctl(version))
		s := sum(data)
		if corrupt[name] {
			s = sum([]byte("something else"))
		}
		fmt.Fprintf(&sums, "%s  %s\n", s, name)
		assets = append(assets, githubtest.Asset{Name: name, Data: data})
	}
	assets = append(assets, githubtest.Asset{Name: "relctl_" + version + "_checksums.txt", Data: []byte(sums.String())})
	gh.SeedRelease("relctl", "relctl", githubtest.Release{TagName: tag, Name: tag, Assets: assets})
}

// site serves the emulator and remembers which paths were sent a token.
type site struct {
	gh   *githubtest.Server
	url  string
	mu   sync.Mutex
	auth map[string]bool // path → carried an Authorization header
	hits []string
}

func newSite(t *testing.T) *site {
	s := &site{gh: githubtest.New(githubtest.Options{Token: token}), auth: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auth[r.URL.Path] = r.Header.Get("Authorization") != ""
		s.hits = append(s.hits, r.URL.Path)
		s.mu.Unlock()
		s.gh.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(s.gh.Close)
	s.url = srv.URL
	return s
}

type install struct {
	code           int
	stdout, stderr string
	cache, outputs string
	path           string
}

// runInstall runs install.sh as the action does, against the site, with
// the GitHub Enterprise Server layout of URLs (API under /api/v3).
func runInstall(t *testing.T, s *site, cache string, env ...string) install {
	t.Helper()
	for _, tool := range []string{"sh", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	tmp := t.TempDir()
	outputs, path := filepath.Join(tmp, "output"), filepath.Join(tmp, "path")
	cmd := exec.Command("sh", "install.sh")
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + tmp,
		"GITHUB_SERVER_URL=" + s.url,
		"GITHUB_API_URL=" + s.url + "/api/v3",
		"GITHUB_TOKEN=" + token,
		"RUNNER_OS=Linux",
		"RUNNER_ARCH=X64",
		"RUNNER_TEMP=" + tmp,
		"RUNNER_TOOL_CACHE=" + cache,
		"GITHUB_OUTPUT=" + outputs,
		"GITHUB_PATH=" + path,
	}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string { b, _ := os.ReadFile(p); return string(b) }
	return install{code: code, stdout: stdout.String(), stderr: stderr.String(), cache: cache, outputs: read(outputs), path: read(path)}
}

func TestInstall_rightArchiveIsVerifiedInstalledAndCached(t *testing.T) {
	s := newSite(t)
	release(t, s.gh, "v1.2.3", []string{"linux_amd64", "linux_arm64", "darwin_arm64", "windows_amd64"}, nil)
	cache := t.TempDir()

	got := runInstall(t, s, cache, "RELCTL_VERSION=v1.2.3")
	if got.code != 0 {
		t.Fatalf("exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	dir := filepath.Join(cache, "relctl", "1.2.3", "x64")
	out, err := exec.Command(filepath.Join(dir, "relctl")).Output()
	if err != nil || string(out) != "relctl 1.2.3\n" {
		t.Fatalf("installed relctl prints %q, %v; want the archive's binary", out, err)
	}
	if _, err := os.Stat(dir + ".complete"); err != nil {
		t.Errorf("no tool-cache completion marker: %v", err)
	}
	if strings.TrimSpace(got.path) != dir {
		t.Errorf("GITHUB_PATH = %q, want %q", got.path, dir)
	}
	if !strings.Contains(got.outputs, "path="+filepath.Join(dir, "relctl")+"\n") || !strings.Contains(got.outputs, "version=1.2.3\n") {
		t.Errorf("GITHUB_OUTPUT = %q", got.outputs)
	}
	for p, auth := range s.auth {
		if auth && !strings.HasPrefix(p, "/api/") {
			t.Errorf("the token was sent to the download URL %s", p)
		}
	}

	// A second job on the same runner takes it from the tool cache.
	s.hits = nil
	again := runInstall(t, s, cache, "RELCTL_VERSION=1.2.3")
	if again.code != 0 || !strings.Contains(again.stdout, "from the tool cache") {
		t.Fatalf("second install: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
	if len(s.hits) != 0 {
		t.Errorf("second install downloaded again: %v", s.hits)
	}
}

func TestInstall_wrongChecksumFailsAndInstallsNothing(t *testing.T) {
	s := newSite(t)
	release(t, s.gh, "v1.2.4", []string{"linux_amd64"}, map[string]bool{"relctl_1.2.4_linux_amd64.tar.gz": true})
	cache := t.TempDir()
	got := runInstall(t, s, cache, "RELCTL_VERSION=v1.2.4")
	if got.code == 0 {
		t.Fatalf("a corrupt download was accepted:\n%s", got.stdout)
	}
	if !strings.Contains(got.stderr, "checksum mismatch for relctl_1.2.4_linux_amd64.tar.gz of release v1.2.4") {
		t.Errorf("stderr = %q, want it to name the archive and the release", got.stderr)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("the tool cache holds %v after a failed install", entries)
	}
	if got.path != "" {
		t.Errorf("GITHUB_PATH = %q after a failed install", got.path)
	}
}

func TestInstall_missingAssetNamesWhatIsMissing(t *testing.T) {
	s := newSite(t)
	release(t, s.gh, "v1.2.3", []string{"linux_amd64"}, nil)
	got := runInstall(t, s, t.TempDir(), "RELCTL_VERSION=v1.2.3", "RUNNER_ARCH=ARM64")
	if got.code == 0 {
		t.Fatal("install succeeded without an archive for linux/arm64")
	}
	if !strings.Contains(got.stderr, "release v1.2.3 has no relctl_1.2.3_linux_arm64.tar.gz") {
		t.Errorf("stderr = %q", got.stderr)
	}
	// A version that was never released says so too.
	got = runInstall(t, s, t.TempDir(), "RELCTL_VERSION=v9.9.9")
	if got.code == 0 || !strings.Contains(got.stderr, "has no relctl_9.9.9_checksums.txt") {
		t.Errorf("unreleased version: exit %d, stderr %q", got.code, got.stderr)
	}
}

func TestInstall_unsupportedPlatformFailsBeforeAnyDownload(t *testing.T) {
	s := newSite(t)
	release(t, s.gh, "v1.2.3", []string{"linux_amd64"}, nil)
	for _, env := range [][]string{
		{"RUNNER_ARCH=ARM"},                      // 32-bit ARM runner
		{"RUNNER_OS=FreeBSD", "RUNNER_ARCH=X64"}, // not a runner OS at all
	} {
		s.hits = nil
		got := runInstall(t, s, t.TempDir(), append(env, "RELCTL_VERSION=v1.2.3")...)
		if got.code == 0 || !strings.Contains(got.stderr, "relctl publishes no binary for") {
			t.Errorf("%v: exit %d, stderr %q", env, got.code, got.stderr)
		}
		if len(s.hits) != 0 {
			t.Errorf("%v: requests %v before refusing the platform", env, s.hits)
		}
	}
}

// Without a version input the action installs its own release: the exact
// tag it was used at, the newest of a major line (@v1), or the latest
// release for a branch or a commit.
func TestInstall_versionDefaultsToTheActionsOwnRelease(t *testing.T) {
	s := newSite(t)
	for _, tag := range []string{"v1.2.3", "v1.3.0", "v2.0.0"} {
		release(t, s.gh, tag, []string{"linux_amd64"}, nil)
	}
	for ref, want := range map[string]string{
		"v1.2.3": "1.2.3",
		"v1":     "1.3.0",
		"v1.2":   "1.2.3",
		"main":   "2.0.0",
		"":       "2.0.0",
	} {
		got := runInstall(t, s, t.TempDir(), "RELCTL_ACTION_REF="+ref)
		if got.code != 0 || !strings.Contains(got.outputs, "version="+want+"\n") {
			t.Errorf("action ref %q: exit %d, outputs %q, stderr %q; want version %s", ref, got.code, got.outputs, got.stderr, want)
		}
	}
	got := runInstall(t, s, t.TempDir(), "RELCTL_ACTION_REF=v3")
	if got.code == 0 || !strings.Contains(got.stderr, "no release in the v3 line") {
		t.Errorf("@v3 with no v3 release: exit %d, stderr %q", got.code, got.stderr)
	}
}
