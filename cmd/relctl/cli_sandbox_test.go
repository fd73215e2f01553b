package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer a command may write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestCLI_sandboxPrintsItsCoordinatesAndServesAnApplyUntilCancelled(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"sandbox", "--registry-addr", "127.0.0.1:0", "--github-addr", "127.0.0.1:0"}, &Env{
			Stdin:   strings.NewReader(""),
			Stdout:  pw,
			Stderr:  &stderr,
			Getenv:  func(string) string { return "" },
			Environ: func() []string { return nil },
		})
		// Reading stops at EOF if the sandbox fails before printing.
		pw.Close()
		done <- code
	}()

	vars := map[string]string{}
	var order []string
	sc := bufio.NewScanner(pr)
	for len(vars) < 5 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("sandbox printed %q, not KEY=VALUE", sc.Text())
		}
		vars[k] = v
		order = append(order, k)
	}
	if len(vars) < 5 {
		cancel()
		t.Fatalf("sandbox printed %v before it ended with %d; stderr:\n%s", vars, <-done, stderr.String())
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // nothing more is expected
	if want := "RELCTL_SANDBOX_REGISTRY GITHUB_API_URL GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_PAGES_URL"; strings.Join(order, " ") != want {
		t.Errorf("sandbox printed %v, want %s", order, want)
	}
	if vars["GITHUB_REPOSITORY"] != "acme/charts" || vars["GITHUB_TOKEN"] == "" ||
		!strings.HasPrefix(vars["RELCTL_SANDBOX_REGISTRY"], "127.0.0.1:") || !strings.HasPrefix(vars["GITHUB_API_URL"], "http://127.0.0.1:") {
		t.Errorf("sandbox coordinates %v", vars)
	}

	// Use it as a user would: its registry and its GitHub, not the harness's.
	h.chart("alpha", "1.0.0")
	h.write("relctl.hcl", fmt.Sprintf(`registry {
  repository = "%s/acme/charts"
}

github {
  repository = %q
}

charts {
  dir = "charts"
}

helm_repository {
  url = %q
}
`, vars["RELCTL_SANDBOX_REGISTRY"], vars["GITHUB_REPOSITORY"], vars["GITHUB_PAGES_URL"]))
	h.env["GITHUB_API_URL"] = vars["GITHUB_API_URL"]
	h.env["GITHUB_TOKEN"] = vars["GITHUB_TOKEN"]
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")

	req, _ := http.NewRequest(http.MethodHead, "http://"+vars["RELCTL_SANDBOX_REGISTRY"]+"/v2/acme/charts/alpha/manifests/1.0.0", nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the sandbox registry answers %d for alpha:1.0.0", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodGet, strings.TrimSuffix(vars["GITHUB_API_URL"], "/")+"/repos/acme/charts/releases", nil)
	req.Header.Set("Authorization", "Bearer "+vars["GITHUB_TOKEN"])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rels []struct {
		TagName string `json:"tag_name"`
		Draft   bool   `json:"draft"`
	}
	err = json.NewDecoder(resp.Body).Decode(&rels)
	resp.Body.Close()
	if err != nil || len(rels) != 1 || rels[0].TagName != "alpha-v1.0.0" || rels[0].Draft {
		t.Errorf("the sandbox GitHub holds %+v (%v), want alpha-v1.0.0 published", rels, err)
	}
	// The Pages site serves the index anonymously, as helm repo add reads it.
	resp, err = http.Get(vars["GITHUB_PAGES_URL"] + "index.yaml")
	if err != nil {
		t.Fatal(err)
	}
	index, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(index), "/releases/download/alpha-v1.0.0/alpha-1.0.0.tgz") {
		t.Errorf("GITHUB_PAGES_URL index.yaml: %d\n%s", resp.StatusCode, index)
	}
	if w := h.reg.Writes(); w != 0 || h.gh.Mutations() != 0 {
		t.Errorf("the harness's own servers were written to: registry %d, GitHub %d", w, h.gh.Mutations())
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("sandbox exited %d after cancellation; stderr:\n%s", code, stderr.String())
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, u := range []string{"http://" + vars["RELCTL_SANDBOX_REGISTRY"] + "/v2/", vars["GITHUB_API_URL"]} {
		if resp, err := fresh.Head(u); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after the sandbox ended", u)
		}
	}
}

func TestCLI_sandboxOnABusyAddressExitsWithAnErrorNamingIt(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, flag := range []string{"--registry-addr", "--github-addr"} {
		t.Run(flag, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			var stderr lockedBuffer
			done := make(chan int, 1)
			go func() {
				code := run(ctx, []string{"sandbox", flag, busy.Addr().String()}, &Env{
					Stdin:   strings.NewReader(""),
					Stdout:  pw,
					Stderr:  &stderr,
					Getenv:  func(string) string { return "" },
					Environ: func() []string { return nil },
				})
				pw.Close()
				done <- code
			}()
			// A sandbox that started would print its coordinates and block:
			// end it then, and fail.
			printed, _ := io.ReadAll(io.LimitReader(pr, 1))
			if len(printed) > 0 {
				cancel()
				go io.Copy(io.Discard, pr) //nolint:errcheck // drain until it ends
				<-done
				t.Fatalf("sandbox %s %s started on a busy address", flag, busy.Addr())
			}
			if code := <-done; code != exitError || !strings.Contains(stderr.String(), busy.Addr().String()) {
				t.Errorf("sandbox %s %s exited %d:\n%s", flag, busy.Addr(), code, stderr.String())
			}
		})
	}
}
