package github

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestPacer_spacesMutationsAndLeavesReadsAlone(t *testing.T) {
	var (
		mu    sync.Mutex
		clock = time.Unix(1000, 0)
		slept []time.Duration
	)
	p := &pacer{
		interval: time.Second,
		now:      func() time.Time { mu.Lock(); defer mu.Unlock(); return clock },
		sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			slept = append(slept, d)
			return nil
		},
	}
	ctx := context.Background()
	for _, m := range []string{http.MethodPost, http.MethodGet, http.MethodPatch, http.MethodDelete, http.MethodHead} {
		if err := p.wait(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// Three mutations at one instant: the first goes at once, the next two
	// wait one and two seconds; GET and HEAD never wait.
	want := []time.Duration{time.Second, 2 * time.Second}
	if len(slept) != len(want) || slept[0] != want[0] || slept[1] != want[1] {
		t.Fatalf("slept %v, want %v", slept, want)
	}
}

func TestMutationInterval_pacesGitHubButNotAnEmulatorOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		url   string
		asked time.Duration
		want  time.Duration
	}{
		{"", 0, DefaultMutationInterval},
		{"https://api.github.com/", 0, DefaultMutationInterval},
		{"https://ghe.example.com/api/v3/", 2 * time.Second, 2 * time.Second},
		{"https://api.github.com/", -1, 0},
		{"http://127.0.0.1:8080/", 0, 0},
		{"http://localhost:8080/", time.Second, 0},
		{"http://[::1]:8080/", 0, 0},
	} {
		if got := mutationInterval(tc.url, tc.asked); got != tc.want {
			t.Errorf("mutationInterval(%q, %s) = %s, want %s", tc.url, tc.asked, got, tc.want)
		}
	}
}

func TestClient_pacedOnGitHubNotOnLoopback(t *testing.T) {
	for api, want := range map[string]bool{
		"":                                true, // api.github.com
		"https://ghe.example.com/api/v3/": true,
		"http://127.0.0.1:8080/":          false,
	} {
		c, err := New(Options{APIURL: api, Token: "t", Owner: "o", Repo: "r"})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Paced(); got != want {
			t.Errorf("API %q: Paced() = %t, want %t", api, got, want)
		}
	}
	c, err := New(Options{Token: "t", Owner: "o", Repo: "r", MutationInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Paced() {
		t.Error("MutationInterval < 0: Paced() = true")
	}
}
