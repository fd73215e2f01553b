package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	gh "github.com/google/go-github/v62/github"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

const ahRepoID = "7c4a2b1e-3f5d-4a8b-9c0d-1e2f3a4b5c6d"

// artifactHubYAML reads <chart>:artifacthub.io as Artifact Hub does: the
// manifest, then its one layer.
func artifactHubYAML(t *testing.T, h *harness, chart string) string {
	t.Helper()
	get := func(path, accept string) []byte {
		req, _ := http.NewRequest(http.MethodGet, "http://"+h.reg.Host+"/v2/acme/charts/"+chart+path, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return b
	}
	m := string(get("/manifests/artifacthub.io", "application/vnd.oci.image.manifest.v1+json"))
	if !strings.Contains(m, `"application/vnd.cncf.artifacthub.config.v1+yaml"`) || !strings.Contains(m, `"application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml"`) {
		t.Fatalf("%s:artifacthub.io is not Artifact Hub metadata: %s", chart, m)
	}
	i := strings.Index(m, `"layers":[{"mediaType":"application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml","digest":"`)
	if i < 0 {
		t.Fatalf("no metadata layer in %s", m)
	}
	rest := m[i+len(`"layers":[{"mediaType":"application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml","digest":"`):]
	return string(get("/blobs/"+rest[:strings.Index(rest, `"`)], "*/*"))
}

func TestE2E_artifactHubMetadataIsPushedOnceThenANoOpAndRestoredWhenAltered(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry+`
artifacthub {
  repository_id = "`+ahRepoID+`"
  owners = [{ name = "Ada", email = "ada@acme.io" }]
}
`)
	want := "owners:\n- email: ada@acme.io\n  name: Ada\nrepositoryID: " + ahRepoID + "\n"

	out := h.mustRelctl(exitOK, "apply", "--auto-approve")
	if !strings.Contains(out, "artifacthub_metadata.alpha") {
		t.Errorf("apply does not show artifacthub_metadata.alpha:\n%s", out)
	}
	if got := artifactHubYAML(t, h, "alpha"); got != want {
		t.Errorf("artifacthub-repo.yml on the registry =\n%s\nwant\n%s", got, want)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")

	// Someone pushes other metadata to the tag.
	c, err := oci.New(oci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := state.NewArtifactHubMetadata(&config.ArtifactHub{RepositoryID: ahRepoID, Owners: []config.ArtifactHubOwner{{Name: "Mallory", Email: "m@evil.io"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PushArtifactHub(context.Background(), h.reg.Host+"/acme/charts/alpha", other); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := h.relctl("drift")
	if code != exitChanges || !strings.Contains(out, "artifacthub_metadata.alpha") {
		t.Fatalf("drift exited %d, want 2 naming artifacthub_metadata.alpha:\n%s\n%s", code, out, errOut)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if got := artifactHubYAML(t, h, "alpha"); got != want {
		t.Errorf("after apply, artifacthub-repo.yml =\n%s\nwant it restored to\n%s", got, want)
	}
	h.mustRelctl(exitOK, "drift")
}

// pushPagesFile commits one file on gh-pages, as a person editing it; the
// branch is created, with that file only, when it does not exist.
func (h *harness) pushPagesFile(path, content string) {
	h.t.Helper()
	ctx := context.Background()
	c, err := gh.NewClient(nil).WithAuthToken(testToken).WithEnterpriseURLs(h.gh.URL(), h.gh.URL())
	if err != nil {
		h.t.Fatal(err)
	}
	var parents []*gh.Commit
	baseTree := ""
	ref, resp, err := c.Git.GetRef(ctx, "acme", "charts", "heads/gh-pages")
	switch {
	case err == nil:
		parent, _, err := c.Git.GetCommit(ctx, "acme", "charts", ref.GetObject().GetSHA())
		if err != nil {
			h.t.Fatal(err)
		}
		parents, baseTree = []*gh.Commit{parent}, parent.GetTree().GetSHA()
	case resp == nil || resp.StatusCode != http.StatusNotFound:
		h.t.Fatal(err)
	}
	tree, _, err := c.Git.CreateTree(ctx, "acme", "charts", baseTree, []*gh.TreeEntry{{Path: gh.String(path), Mode: gh.String("100644"), Type: gh.String("blob"), Content: gh.String(content)}})
	if err != nil {
		h.t.Fatal(err)
	}
	commit, _, err := c.Git.CreateCommit(ctx, "acme", "charts", &gh.Commit{Message: gh.String("hand edit"), Tree: tree, Parents: parents}, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if parents == nil {
		_, _, err = c.Git.CreateRef(ctx, "acme", "charts", &gh.Reference{Ref: gh.String("refs/heads/gh-pages"), Object: &gh.GitObject{SHA: commit.SHA}})
	} else {
		ref.Object.SHA = commit.SHA
		_, _, err = c.Git.UpdateRef(ctx, "acme", "charts", ref, false)
	}
	if err != nil {
		h.t.Fatal(err)
	}
}

func TestE2E_artifactHubRepoFileIsWrittenWithTheIndexThenANoOpAndRestoredWhenAltered(t *testing.T) {
	h := newHarness(t)
	h.withArtifactHubPages()
	want := "owners:\n- email: ada@acme.io\n  name: Ada\nrepositoryID: " + ahRepoID + "\n"

	out := h.mustRelctl(exitOK, "apply", "--auto-approve")
	if !strings.Contains(out, "artifacthub_metadata: Creation complete") {
		t.Errorf("apply does not show artifacthub_metadata:\n%s", out)
	}
	// Served by Pages beside index.yaml, where Artifact Hub looks.
	resp, err := http.Get(h.gh.PagesURL("acme", "charts") + "artifacthub-repo.yml")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(served) != want {
		t.Fatalf("pages artifacthub-repo.yml: %s\n%s\nwant\n%s", resp.Status, served, want)
	}
	// One commit: the branch has a single commit holding index and file.
	c, err := gh.NewClient(nil).WithAuthToken(testToken).WithEnterpriseURLs(h.gh.URL(), h.gh.URL())
	if err != nil {
		t.Fatal(err)
	}
	ref, _, err := c.Git.GetRef(context.Background(), "acme", "charts", "heads/gh-pages")
	if err != nil {
		t.Fatal(err)
	}
	head, _, err := c.Git.GetCommit(context.Background(), "acme", "charts", ref.GetObject().GetSHA())
	if err != nil {
		t.Fatal(err)
	}
	if len(head.Parents) != 0 || !strings.Contains(head.GetMessage(), "index alpha 1.0.0") || !strings.Contains(head.GetMessage(), "artifacthub-repo.yml") {
		t.Errorf("gh-pages head %q with %d parents: want one commit of the index and the file", head.GetMessage(), len(head.Parents))
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")

	// The same data in another layout is not a difference.
	h.pushPagesFile("artifacthub-repo.yml", "repositoryID: '"+ahRepoID+"'\nowners:\n  - name: Ada\n    email: ada@acme.io\n")
	h.mustRelctl(exitOK, "drift")

	h.pushPagesFile("artifacthub-repo.yml", "repositoryID: "+ahRepoID+"\nowners:\n  - name: Mallory\n    email: m@evil.io\n")
	code, out, errOut := h.relctl("drift")
	if code != exitChanges || !strings.Contains(out, "artifacthub_metadata") {
		t.Fatalf("drift exited %d, want 2 naming artifacthub_metadata:\n%s\n%s", code, out, errOut)
	}
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	if got, _ := h.gh.File("acme", "charts", "refs/heads/gh-pages", "artifacthub-repo.yml"); string(got) != want {
		t.Errorf("after apply artifacthub-repo.yml =\n%s\nwant it restored to\n%s", got, want)
	}
	h.mustRelctl(exitOK, "drift")
}

// A saved plan carries both Artifact Hub resources (the registry tag and
// the pages file) and applies them as planned.
func TestE2E_artifactHubSavedPlanAppliesBothResources(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry+`
helm_repository {
  url = "`+h.gh.PagesURL("acme", "charts")+`"
}
artifacthub {
  repository_id = "`+ahRepoID+`"
}
`)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	h.mustRelctl(exitOK, "plan", "--out", planFile)
	h.mustRelctl(exitOK, "apply", planFile)
	want := "repositoryID: " + ahRepoID + "\n"
	if got := artifactHubYAML(t, h, "alpha"); got != want {
		t.Errorf("registry artifacthub-repo.yml = %q, want %q", got, want)
	}
	if got, _ := h.gh.File("acme", "charts", "refs/heads/gh-pages", "artifacthub-repo.yml"); string(got) != want {
		t.Errorf("pages artifacthub-repo.yml = %q, want %q", got, want)
	}
	h.mustRelctl(exitOK, "drift")
}

// withArtifactHubPages declares chart alpha with the classic index on the
// pages branch and Artifact Hub metadata for both places.
func (h *harness) withArtifactHubPages() {
	h.chart("alpha", "1.0.0")
	h.full("", "", fastRetry+`
helm_repository {
  url = "`+h.gh.PagesURL("acme", "charts")+`"
}
artifacthub {
  repository_id = "`+ahRepoID+`"
  owners = [{ name = "Ada", email = "ada@acme.io" }]
}
`)
}
