package githubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestCommitPulls_returnsSeededPullRequests(t *testing.T) {
	s, gh := startServer(t, Options{})
	s.SeedPull("acme", "charts", "ABC123", 42, "Bump podinfo")
	prs, _, err := gh.PullRequests.ListPullRequestsWithCommit(context.Background(), "acme", "charts", "abc123", nil)
	if err != nil || len(prs) != 1 || prs[0].GetNumber() != 42 || prs[0].GetBody() != "Bump podinfo" {
		t.Fatalf("prs = %v, %v", prs, err)
	}
	none, _, err := gh.PullRequests.ListPullRequestsWithCommit(context.Background(), "acme", "charts", "fff", nil)
	if err != nil || len(none) != 0 {
		t.Errorf("unknown commit: %v, %v; want an empty list", none, err)
	}
}

func TestAttestations_returnsSeededBundlesAnd404WhenNone(t *testing.T) {
	s, _ := startServer(t, Options{})
	digest := "sha256:" + fmt.Sprintf("%064d", 1)
	res := rawGet(t, s.URL()+"repos/acme/charts/attestations/"+digest, nil)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("no attestations: status %d, want 404", res.StatusCode)
	}
	s.SeedAttestation("acme", "charts", digest, json.RawMessage(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	res = rawGet(t, s.URL()+"api/v3/repos/acme/charts/attestations/"+digest, nil)
	var body struct {
		Attestations []struct {
			Bundle       map[string]string `json:"bundle"`
			RepositoryID int64             `json:"repository_id"`
		} `json:"attestations"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Attestations) != 1 || body.Attestations[0].RepositoryID != 1000 ||
		body.Attestations[0].Bundle["mediaType"] != "application/vnd.dev.sigstore.bundle.v0.3+json" {
		t.Fatalf("body = %+v", body)
	}
}

func TestGetReleaseByTag_acceptsTagsContainingSlashes(t *testing.T) {
	s, gh := startServer(t, Options{})
	s.SeedRelease("acme", "charts", Release{TagName: "charts/podinfo/v1"})
	r, _, err := gh.Repositories.GetReleaseByTag(context.Background(), "acme", "charts", "charts/podinfo/v1")
	if err != nil || r.GetTagName() != "charts/podinfo/v1" {
		t.Fatalf("got %v, %v", r, err)
	}
}

func TestConcurrentUploads_eachNameStoredOnceWithUniqueIDs(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	rel := s.SeedRelease("acme", "charts", Release{TagName: "v1", Draft: true})
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Two goroutines per name: exactly one of each pair wins.
			_, _, errs[i] = upload(ctx, t, gh, rel.ID, fmt.Sprintf("chart-%d.tgz", i/2), []byte{byte(i)})
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			if _, code := errorCode(err); code != "already_exists" {
				t.Errorf("unexpected error: %v", err)
			}
			failed++
		}
	}
	assets := s.Releases("acme", "charts")[0].Assets
	ids := map[int64]bool{}
	for _, a := range assets {
		ids[a.ID] = true
	}
	if failed != 10 || len(assets) != 10 || len(ids) != 10 {
		t.Fatalf("failed %d, assets %d, unique IDs %d; want 10 each", failed, len(assets), len(ids))
	}
}

// The copies in testdata must stay identical to the project's shared
// recordings when those are present (../shared/fixtures/github from the
// repository root).
func TestFixtures_testdataCopiesMatchSharedRecordings(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "..", "shared", "fixtures", "github")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared fixtures not present at %s; the testdata copies are used as they are", shared)
	}
	entries, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	compared := map[string]bool{}
	for _, e := range entries {
		compared[e.Name()] = true
		want, err := os.ReadFile(filepath.Join(shared, e.Name()))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		f, err := os.Open(filepath.Join(fixturesDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/fixtures/%s differs from %s", e.Name(), shared)
		}
	}
	// Every replayed recording must be among the copies compared, so a
	// fixture read from elsewhere cannot drift unnoticed.
	for _, name := range replayedFixtures {
		if !compared[name] {
			t.Errorf("%s is replayed but has no copy in %s", name, fixturesDir)
		}
	}
}

func TestIssueComments_returnsSeededCommentsOldestFirst(t *testing.T) {
	s, gh := startServer(t, Options{})
	s.SeedComment("acme", "charts", 42, "first")
	s.SeedComment("acme", "charts", 42, "second")
	cs, _, err := gh.Issues.ListComments(context.Background(), "acme", "charts", 42, nil)
	if err != nil || len(cs) != 2 || cs[0].GetBody() != "first" || cs[1].GetBody() != "second" {
		t.Fatalf("comments = %v, %v", cs, err)
	}
	none, _, err := gh.Issues.ListComments(context.Background(), "acme", "charts", 7, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("no comments: %v, %v; want an empty list", none, err)
	}
}

func TestIssueComments_onAPullRequestCanBeCreatedAndEdited(t *testing.T) {
	s, gh := startServer(t, Options{})
	s.SeedPull("acme", "charts", "abc", 12, "")
	ctx := context.Background()
	body := "plan"
	c, _, err := gh.Issues.CreateComment(ctx, "acme", "charts", 12, &github.IssueComment{Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	edited := "plan, edited"
	if _, _, err := gh.Issues.EditComment(ctx, "acme", "charts", c.GetID(), &github.IssueComment{Body: &edited}); err != nil {
		t.Fatal(err)
	}
	cs, _, err := gh.Issues.ListComments(ctx, "acme", "charts", 12, nil)
	if err != nil || len(cs) != 1 || cs[0].GetBody() != edited || cs[0].GetID() != c.GetID() {
		t.Fatalf("comments = %v, %v", cs, err)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "charts", 99, &github.IssueComment{Body: &body}); err == nil {
		t.Fatal("a comment on an unknown issue was accepted")
	}
}
