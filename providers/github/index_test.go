package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/state"
)

const patchRef = "PATCH /repos/{owner}/{repo}/git/refs/{ref}"

func indexRecord(c *Client, chart, version string, archive []byte) state.IndexRecord {
	sum := sha256.Sum256(archive)
	return state.IndexRecord{
		Chart: chart, Version: version, Digest: hex.EncodeToString(sum[:]),
		URL:      state.AssetURL(c.DownloadBase(), chart+"-v"+version, chart+"-"+version+".tgz"),
		Created:  time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
		Metadata: json.RawMessage(`{"apiVersion":"v2","name":"` + chart + `","version":"` + version + `","description":"d"}`),
	}
}

// seedPages commits data as path on gh-pages, as another tool would.
func seedPages(t *testing.T, c *Client, path string, data []byte) {
	t.Helper()
	ctx := context.Background()
	blob, err := c.createBlob(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := c.createTreeWith(ctx, "", []map[string]string{{"path": path, "mode": "100644", "type": "blob", "sha": blob}})
	if err != nil {
		t.Fatal(err)
	}
	commit, err := c.createCommit(ctx, tree, "cr index")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.createRef(ctx, "refs/heads/gh-pages", commit); err != nil {
		t.Fatal(err)
	}
}

// foreignIndex is an index of n entries of chart "legacy", as
// chart-releaser writes them, with a field only it knows.
func foreignIndex(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nentries:\n  legacy:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - apiVersion: v2\n    created: \"2020-01-01T00:00:%02d.123456789Z\"\n    digest: %064x\n    name: legacy\n    urls:\n    - https://example.org/legacy-0.%d.0.tgz\n    version: 0.%d.0\n    x-cr: kept\n", i%60, i, i, i)
	}
	b.WriteString("generated: \"2020-01-02T00:00:00Z\"\n")
	return []byte(b.String())
}

func entriesOf(t *testing.T, data []byte) map[string][]map[string]any {
	t.Helper()
	var doc struct {
		Entries map[string][]map[string]any `json:"entries"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("index does not parse: %v\n%s", err, data)
	}
	return doc.Entries
}

func TestWriteIndex_missingBranchIsCreatedAndServedAsPages(t *testing.T) {
	srv, c, _ := emulated(t)
	ctx := context.Background()
	if _, err := c.ReadFile(ctx, "gh-pages", "index.yaml"); !isNotFound(err) {
		t.Fatalf("ReadFile on a missing branch = %v, want not found", err)
	}
	r := indexRecord(c, "podinfo", "1.2.0", []byte("archive"))
	commit, err := c.WriteIndex(ctx, state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{r}, Message: "relctl: index podinfo 1.2.0"})
	if err != nil || commit == "" {
		t.Fatalf("WriteIndex = %q, %v", commit, err)
	}
	if msg, _ := srv.CommitMessage("acme", "charts", commit); msg != "relctl: index podinfo 1.2.0" {
		t.Errorf("commit message = %q", msg)
	}
	// Pages serve it anonymously, as https://acme.github.io/charts/index.yaml.
	resp, err := http.Get(srv.PagesURL("acme", "charts") + "index.yaml")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("pages: %s", resp.Status)
	}
	e := entriesOf(t, served)["podinfo"]
	if len(e) != 1 || e[0]["digest"] != r.Digest || e[0]["urls"].([]any)[0] != r.URL || e[0]["created"] != "2025-06-01T12:00:00Z" {
		t.Errorf("served entry = %v", e)
	}
	// A second write of the same record changes nothing: no commit.
	if again, err := c.WriteIndex(ctx, state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{r}}); err != nil || again != "" {
		t.Errorf("rewrite = %q, %v; want no commit", again, err)
	}
}

func TestWriteIndex_entryURLDownloadsTheExactReleaseAsset(t *testing.T) {
	srv, c, _ := emulated(t)
	archive := []byte("the podinfo 1.2.0 package bytes")
	srv.SeedRelease("acme", "charts", githubtest.Release{TagName: "podinfo-v1.2.0", Assets: []githubtest.Asset{{Name: "podinfo-1.2.0.tgz", State: "uploaded", Data: archive}}})
	r := indexRecord(c, "podinfo", "1.2.0", archive)
	if _, err := c.WriteIndex(context.Background(), state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{r}, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	data, _ := srv.File("acme", "charts", "refs/heads/gh-pages", "index.yaml")
	url := entriesOf(t, data)["podinfo"][0]["urls"].([]any)[0].(string)
	resp, err := http.Get(url) // anonymous, following the redirect to storage
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(got)
	if string(got) != string(archive) || hex.EncodeToString(sum[:]) != r.Digest {
		t.Errorf("%s downloaded %q (%s), want the release asset", url, got, resp.Status)
	}
}

func TestWriteIndex_thousandForeignEntriesKeptOnlyNewOnesAdded(t *testing.T) {
	srv, c, _ := emulated(t)
	foreign := foreignIndex(1000)
	seedPages(t, c, "index.yaml", foreign)
	before := entriesOf(t, foreign)["legacy"]
	// Observation reads the index in one request; a write onto an existing
	// branch costs seven: ref, commit, contents, blob, tree, commit, ref.
	n := len(srv.Log())
	if _, err := c.ReadFile(context.Background(), "gh-pages", "index.yaml"); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Log()) - n; got != 1 {
		t.Errorf("reading the index took %d requests, want 1", got)
	}
	n = len(srv.Log())
	if _, err := c.WriteIndex(context.Background(), state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml",
		Records: []state.IndexRecord{indexRecord(c, "podinfo", "1.2.0", []byte("a"))}, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Log()) - n; got != 7 {
		t.Errorf("writing the index took %d requests, want 7", got)
	}
	data, _ := srv.File("acme", "charts", "refs/heads/gh-pages", "index.yaml")
	after := entriesOf(t, data)
	if len(after["podinfo"]) != 1 || len(after["legacy"]) != 1000 {
		t.Fatalf("entries: podinfo %d, legacy %d; want 1 and 1000", len(after["podinfo"]), len(after["legacy"]))
	}
	// Helm sorts newest first; compare as sets of whole entries.
	seen := map[string]bool{}
	for _, e := range before {
		b, _ := json.Marshal(e)
		seen[string(b)] = true
	}
	for _, e := range after["legacy"] {
		b, _ := json.Marshal(e)
		if !seen[string(b)] {
			t.Fatalf("foreign entry changed or new: %s", b)
		}
	}
}

// Two applies at once, each its own client: the second's ref update is
// held until the first has landed, so it must answer GitHub's 422, read
// again, merge again and land on top.
func TestWriteIndex_racingWritersBothLandWithoutLosingEntries(t *testing.T) {
	srv, a, _ := emulated(t)
	seedPages(t, a, "index.yaml", foreignIndex(3))
	b, err := New(Options{APIURL: srv.URL(), Token: testToken, Owner: "acme", Repo: "charts"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(githubtest.Fault{PathPattern: patchRef, Nth: 1, Delay: time.Second})
	ctx := context.Background()
	var wg sync.WaitGroup
	var errA error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errA = a.WriteIndex(ctx, state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{indexRecord(a, "alpha", "1.0.0", []byte("a"))}, Message: "alpha"})
	}()
	// Once alpha's commit exists its ref update is in the delay: beta
	// writes meanwhile.
	for srv.Count("POST /repos/{owner}/{repo}/git/commits") < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := b.WriteIndex(ctx, state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{indexRecord(b, "beta", "2.0.0", []byte("b"))}, Message: "beta"}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if errA != nil {
		t.Fatal(errA)
	}
	rejected := 0
	for _, r := range srv.Log() {
		if r.Route == patchRef && r.Status == 422 {
			rejected++
		}
	}
	if rejected != 1 {
		t.Errorf("%d ref updates answered 422, want alpha's first one", rejected)
	}
	data, _ := srv.File("acme", "charts", "refs/heads/gh-pages", "index.yaml")
	e := entriesOf(t, data)
	if len(e["alpha"]) != 1 || len(e["beta"]) != 1 || len(e["legacy"]) != 3 {
		t.Errorf("entries alpha %d, beta %d, legacy %d; want 1, 1, 3", len(e["alpha"]), len(e["beta"]), len(e["legacy"]))
	}
}

func isNotFound(err error) bool { return errors.Is(err, state.ErrNotFound) }
