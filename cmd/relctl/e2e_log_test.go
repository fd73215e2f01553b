package main

import (
	"context"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// TestE2E_debugLogListsEveryRequestAndNoSecret runs apply then plan with
// RELCTL_LOG=debug against a registry that requires a login and the GitHub
// emulator: stderr lists the registry and GitHub requests, with status and
// time, and holds neither the token, the registry password nor any
// Authorization value.
func TestE2E_debugLogListsEveryRequestAndNoSecret(t *testing.T) {
	const regUser, regPassword = "ci", "registry-pa55word-7f3a"
	h := newHarness(t)
	reg, err := ocitest.Start(context.Background(), ocitest.Options{Username: regUser, Password: regPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	h.reg = reg
	h.chart("alpha", "1.0.0")
	h.full("", "", "")
	h.env["RELCTL_LOG"] = "debug"
	h.env["RELCTL_REGISTRY_USERNAME"] = regUser
	h.env["RELCTL_REGISTRY_PASSWORD"] = regPassword

	code, applyOut, applyErr := h.relctl("apply", "--auto-approve")
	if code != exitOK {
		t.Fatalf("apply exited %d\nstdout:\n%s\nstderr:\n%s", code, applyOut, applyErr)
	}
	code, planOut, planErr := h.relctl("plan")
	if code != exitOK {
		t.Fatalf("plan exited %d\nstdout:\n%s\nstderr:\n%s", code, planOut, planErr)
	}

	regHost := regexp.QuoteMeta(reg.Host)
	for _, want := range []struct {
		what string
		in   string
		re   string
	}{
		{"the chart push", applyErr, `(?m)^relctl \[DEBUG\] http: PUT http://` + regHost + `/v2/acme/charts/alpha/manifests/1\.0\.0 -> 201 \(`},
		{"the registry's challenge", applyErr, `(?m)^relctl \[DEBUG\] http: \w+ http://` + regHost + `/v2/acme/charts/alpha/\S+ -> 401 \(`},
		{"the release creation", applyErr, `(?m)^relctl \[DEBUG\] http: POST http://127\.0\.0\.1:\d+/\S*repos/acme/charts/releases -> 201 \(`},
		{"the asset upload, its name kept", applyErr, `(?m)^relctl \[DEBUG\] http: POST http://127\.0\.0\.1:\d+/\S*releases/\d+/assets\?\S*name=alpha-1\.0\.0\.tgz\S* -> 201 \(`},
		{"the plan's registry read", planErr, `(?m)^relctl \[DEBUG\] http: GET http://` + regHost + `/v2/acme/charts/alpha/manifests/1\.0\.0 -> 200 \(`},
		{"the plan's release listing", planErr, `(?m)^relctl \[DEBUG\] http: GET http://127\.0\.0\.1:\d+/\S*repos/acme/charts/releases\S* -> 200 \(`},
	} {
		if !regexp.MustCompile(want.re).MatchString(want.in) {
			t.Errorf("stderr does not list %s (%s):\n%s", want.what, want.re, want.in)
		}
	}
	stderr := applyErr + planErr
	for _, secret := range []string{
		testToken, regPassword,
		base64.StdEncoding.EncodeToString([]byte(regUser + ":" + regPassword)),
		"Authorization", "authorization", "Bearer", "Basic ",
	} {
		if strings.Contains(stderr, secret) {
			t.Errorf("stderr holds %q", secret)
		}
	}
	if strings.Contains(applyOut+planOut, "[DEBUG]") {
		t.Error("the trace went to stdout; it belongs on stderr")
	}
}

func TestE2E_unknownLogLevelIsAnErrorNotSilence(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.registryOnly("")
	h.env["RELCTL_LOG"] = "degub"

	code, _, stderr := h.relctl("plan")

	if code != exitError || !strings.Contains(stderr, `RELCTL_LOG="degub"`) {
		t.Errorf("plan with RELCTL_LOG=degub exited %d, stderr %q; want 1 naming the variable", code, stderr)
	}
}

// TestE2E_debugLogNumbersRetries: a 503 from GitHub and one from the
// registry are retried, and the trace shows each attempt with its retry
// number.
func TestE2E_debugLogNumbersRetries(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry)
	h.env["RELCTL_LOG"] = "debug"
	h.gh.Inject(githubtest.Fault{Method: "GET", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 1, Status: http.StatusServiceUnavailable})
	var failed atomic.Bool
	h.reg.Inject(func(r *http.Request) int {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/manifests/1.0.0") && failed.CompareAndSwap(false, true) {
			return http.StatusServiceUnavailable
		}
		return 0
	})

	code, out, stderr := h.relctl("plan")

	if code != exitOK {
		t.Fatalf("plan exited %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	regHost := regexp.QuoteMeta(h.reg.Host)
	for _, re := range []string{
		`(?m)^relctl \[DEBUG\] http: GET http://127\.0\.0\.1:\d+/\S*repos/acme/charts/releases\S* -> 503 \([^,]+\)$`,
		`(?m)^relctl \[DEBUG\] http: GET http://127\.0\.0\.1:\d+/\S*repos/acme/charts/releases\S* -> 200 \([^,]+, retry 1\)$`,
		`(?m)^relctl \[DEBUG\] http: GET http://` + regHost + `/v2/acme/charts/alpha/manifests/1\.0\.0 -> 503 \([^,]+\)$`,
		`(?m)^relctl \[DEBUG\] http: GET http://` + regHost + `/v2/acme/charts/alpha/manifests/1\.0\.0 -> 404 \([^,]+, retry 1\)$`,
	} {
		if !regexp.MustCompile(re).MatchString(stderr) {
			t.Errorf("stderr has no line matching %s:\n%s", re, stderr)
		}
	}
}
