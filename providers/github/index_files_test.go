package github

import (
	"context"
	"testing"

	"github.com/relctl/relctl/state"
)

// Extra files (artifacthub-repo.yml) land in the same commit as the
// index, are not rewritten when equal, and a file alone is written without
// touching the index.
func TestWriteIndex_extraFilesShareTheIndexCommitAndAreWrittenOnlyWhenDifferent(t *testing.T) {
	_, c, _ := emulated(t)
	ctx := context.Background()
	r := indexRecord(c, "podinfo", "1.2.0", []byte("archive"))
	ah := state.BranchFile{Path: "artifacthub-repo.yml", Data: []byte("repositoryID: one\n")}
	first, err := c.WriteIndex(ctx, state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{r}, Files: []state.BranchFile{ah}, Message: "m"})
	if err != nil || first == "" {
		t.Fatalf("WriteIndex = %q, %v", first, err)
	}
	index, err := c.ReadFile(ctx, first, "index.yaml")
	if err != nil || len(entriesOf(t, index)["podinfo"]) != 1 {
		t.Fatalf("the commit's index.yaml: %v\n%s", err, index)
	}
	if got, err := c.ReadFile(ctx, first, "artifacthub-repo.yml"); err != nil || string(got) != string(ah.Data) {
		t.Fatalf("the index's commit holds artifacthub-repo.yml = %q, %v; want %q", got, err, ah.Data)
	}

	if again, err := c.WriteIndex(ctx, state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{r}, Files: []state.BranchFile{ah}, Message: "m"}); err != nil || again != "" {
		t.Errorf("rewrite of equal content = %q, %v; want no commit", again, err)
	}

	changed := state.BranchFile{Path: "artifacthub-repo.yml", Data: []byte("repositoryID: two\n")}
	second, err := c.WriteIndex(ctx, state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Files: []state.BranchFile{changed}, Message: "m"})
	if err != nil || second == "" {
		t.Fatalf("WriteIndex of a changed file = %q, %v", second, err)
	}
	if got, _ := c.ReadFile(ctx, second, "artifacthub-repo.yml"); string(got) != string(changed.Data) {
		t.Errorf("artifacthub-repo.yml = %q, want %q", got, changed.Data)
	}
	if got, _ := c.ReadFile(ctx, second, "index.yaml"); string(got) != string(index) {
		t.Errorf("writing the file alone changed index.yaml:\n%s\nwas\n%s", got, index)
	}
}
