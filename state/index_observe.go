package state

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/relctl/relctl/config"
)

// IndexReader reads the chart repository index from the pages branch.
type IndexReader interface {
	// ReadFile returns the file at path in the head commit of branch; an
	// error wrapping ErrNotFound when the branch or the file is absent.
	ReadFile(ctx context.Context, branch, path string) ([]byte, error)
	// DownloadBase is where the repository's release assets download from
	// anonymously, ending in "/" (IndexState.DownloadBase).
	DownloadBase() string
}

// observeIndex reads the index and keeps the entries of the declared chart
// versions. A missing branch or file is an empty index; an index that does
// not parse is an error naming it, since writing over it would lose it.
func observeIndex(ctx context.Context, spec *config.Spec, r IndexReader) (*IndexState, error) {
	hr := spec.HelmRepository
	st := &IndexState{Branch: hr.Branch, Path: hr.Path, Entries: map[string]IndexEntry{}, DownloadBase: r.DownloadBase()}
	if spec.ArtifactHub != nil {
		p := ArtifactHubPath(hr.Path)
		y, err := r.ReadFile(ctx, hr.Branch, p)
		switch {
		case err == nil:
			st.ArtifactHub = y
			if y == nil {
				st.ArtifactHub = []byte{}
			}
		case !errors.Is(err, ErrNotFound):
			return nil, fmt.Errorf("artifacthub_metadata: read %s on branch %s: %w", p, hr.Branch, err)
		}
	}
	data, err := r.ReadFile(ctx, hr.Branch, hr.Path)
	switch {
	case errors.Is(err, ErrNotFound):
		return st, nil
	case err != nil:
		return nil, fmt.Errorf("read the chart index %s on branch %s: %w", hr.Path, hr.Branch, err)
	}
	idx, err := ParseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("the chart index %s on branch %s does not parse as a helm index: %w", hr.Path, hr.Branch, err)
	}
	st.Exists = true
	for _, c := range spec.Charts {
		if e, ok := idx.Entry(c.Name, c.Version); ok {
			st.Entries[c.Name] = e
		}
	}
	return st, nil
}

// ArtifactHubPath is where artifacthub-repo.yml goes on the pages branch:
// beside the index, which is where Artifact Hub looks for it (the chart
// repository's URL).
func ArtifactHubPath(indexPath string) string {
	return path.Join(path.Dir(indexPath), ArtifactHubFileName)
}
