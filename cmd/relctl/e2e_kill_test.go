package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Killed between pushing the charts and signing them (the process dies as
// the first signature goes out), the next apply finishes the job: every
// chart signed exactly once, every release complete, nothing duplicated.
func TestE2E_applyKilledBetweenPushAndSignIsFinishedByTheNextRun(t *testing.T) {
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.full("", "", signingSpec("fail"))

	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	remove := h.reg.Inject(func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256-") {
			kill()
			return http.StatusServiceUnavailable
		}
		return 0
	})
	code, _, _ := relctlCtx(ctx, h, false, "", "apply", "--auto-approve", "--parallelism", "1")
	remove()
	if code != exitError {
		t.Fatalf("killed apply exited %d", code)
	}
	pushed := 0
	for _, r := range h.reg.Requests() {
		if r.Method == http.MethodPut && strings.Contains(r.Path, "/manifests/") && !strings.Contains(r.Path, "sha256-") && r.Status < 300 {
			pushed++
		}
	}
	if pushed == 0 || len(h.releases()) != 0 {
		t.Fatalf("the kill did not land between push and sign: %d charts pushed, %d releases", pushed, len(h.releases()))
	}

	out := h.mustRelctl(exitOK, "plan")
	if !strings.Contains(out, "oci_signature.") {
		t.Fatalf("the plan after the kill does not sign:\n%s", out)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	out = h.mustRelctl(exitOK, "verify")
	if strings.Count(out, "1 valid signature: legacy (key)") != 2 {
		t.Fatalf("want exactly one valid signature per chart:\n%s", out)
	}
	if n := len(h.releases()); n != 2 {
		t.Fatalf("%d releases, want 2", n)
	}
}

// Killed in the middle of uploading a release's assets, the next apply
// reuses the draft, uploads only what is missing and publishes: one
// release, each asset once.
func TestE2E_applyKilledMidUploadIsFinishedByTheNextRun(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)

	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	var mu sync.Mutex
	uploads := 0
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/assets") {
			mu.Lock()
			uploads++
			n := uploads
			mu.Unlock()
			if n == 2 {
				kill()
				http.Error(w, "the process died", http.StatusServiceUnavailable)
				return
			}
		}
		h.gh.ServeHTTP(w, r)
	}))
	defer front.Close()
	h.env["GITHUB_API_URL"] = front.URL + "/"
	code, _, _ := relctlCtx(ctx, h, false, "", "apply", "--auto-approve")
	if code != exitError {
		t.Fatalf("killed apply exited %d", code)
	}
	rs := h.releasesFor("alpha-v1.0.0")
	if len(rs) != 1 || !rs[0].Draft || len(rs[0].Assets) != 1 {
		t.Fatalf("after the kill: %+v, want one draft with one asset", rs)
	}

	h.env["GITHUB_API_URL"] = h.gh.URL()
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	rs = h.releasesFor("alpha-v1.0.0")
	if len(rs) != 1 || rs[0].Draft || len(rs[0].Assets) != 4 {
		t.Fatalf("after the next run: %+v, want one published release with its 4 assets", rs)
	}
	seen := map[string]bool{}
	for _, a := range rs[0].Assets {
		if seen[a.Name] {
			t.Fatalf("asset %s twice", a.Name)
		}
		seen[a.Name] = true
	}
}
