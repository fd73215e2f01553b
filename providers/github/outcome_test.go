package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/state"
)

// A write whose connection dropped is reported as an unknown outcome, which
// the caller matches with errors.Is to re-observe and retry: whether GitHub
// processed it first (a release exists) or not (none does), the client
// cannot tell, and it never repeats the POST itself.
func TestCreateRelease_droppedConnectionIsAnUnknownOutcomeEitherWay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault githubtest.Fault
		exist int
	}{
		{"dropped before GitHub processed it", githubtest.Fault{DropUnprocessed: true}, 0},
		{"dropped after GitHub processed it", githubtest.Fault{ProcessThenDrop: true}, 1},
		{"gateway timeout", githubtest.Fault{Status: 504}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, sl := emulated(t)
			f := tc.fault
			f.Method, f.PathPattern, f.Nth = "POST", "/repos/{owner}/{repo}/releases", 1
			srv.Inject(f)
			_, err := c.CreateRelease(context.Background(), state.ReleaseSpec{TagName: "a-v1", Name: "a", Draft: true})
			if !errors.Is(err, state.ErrOutcomeUnknown) {
				t.Fatalf("got %v, want an error wrapping state.ErrOutcomeUnknown", err)
			}
			if n := srv.Count("POST /repos/{owner}/{repo}/releases"); n != 1 || len(sl.got()) != 0 {
				t.Errorf("sent %d creates and waited %v; want one create, no retry by the client", n, sl.got())
			}
			rels, err := c.ListReleases(context.Background())
			if err != nil || len(rels) != tc.exist {
				t.Errorf("after the failure the repository lists %d releases (%v), want %d", len(rels), err, tc.exist)
			}
		})
	}
}

func TestUploadAsset_droppedConnectionIsAnUnknownOutcome(t *testing.T) {
	srv, c, _ := emulated(t)
	rel := srv.SeedRelease("acme", "charts", githubtest.Release{TagName: "a-v1", Draft: true})
	srv.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases/{release_id}/assets", Nth: 1, DropUnprocessed: true})
	_, err := c.UploadAsset(context.Background(), rel.ID, "a.tgz", strings.NewReader("x"), 1)
	if !errors.Is(err, state.ErrOutcomeUnknown) {
		t.Fatalf("got %v, want an error wrapping state.ErrOutcomeUnknown", err)
	}
}

// A refusal is GitHub's answer, not an unknown outcome: the caller must not
// retry it.
func TestCreateRelease_refusalIsNotAnUnknownOutcome(t *testing.T) {
	for _, status := range []int{403, 422} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, c, _ := emulated(t)
			srv.Inject(githubtest.Fault{Method: "POST", PathPattern: "/repos/{owner}/{repo}/releases", Nth: 1, Status: status})
			_, err := c.CreateRelease(context.Background(), state.ReleaseSpec{TagName: "a-v1", Name: "a", Draft: true})
			if err == nil || errors.Is(err, state.ErrOutcomeUnknown) {
				t.Fatalf("got %v, want a refusal that is not an unknown outcome", err)
			}
		})
	}
}
