package helm

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/relctl/relctl/config"
	relgit "github.com/relctl/relctl/providers/git"
	"github.com/relctl/relctl/state"
)

// stamps are the source stamps of the spec's charts, computed once per run
// for all of them (two git commands, whatever the number of charts).
type stamps struct {
	once  sync.Once
	trees map[string]string // chart dir → tree hash at HEAD, clean dirs only
}

// SourceStamp says what the package of c is built from, without building
// it: "git-tree:<hash>", the chart folder's git tree at HEAD, and the OCI
// config blob the package will carry. ok is false, and the chart must be
// packaged to be known, when the folder is not exactly its committed tree
// (see relgit.CleanTrees), when git cannot say, or when a dependency comes
// from outside the folder (a repository, a file:// path, a sibling): those
// may resolve differently from one run to the next, the tree does not
// say. A chart with only vendored dependencies (charts/ in the folder) is
// stamped: the tree holds them.
func (p *Packager) SourceStamp(ctx context.Context, c config.Chart) (stamp string, configBlob []byte, ok bool, err error) {
	p.stamps.once.Do(func() {
		dirs := []string{c.Dir}
		for _, s := range p.opts.Siblings {
			if s.Dir != c.Dir {
				dirs = append(dirs, s.Dir)
			}
		}
		// A checkout git refuses, or no git: no stamps, every chart is
		// packaged, as without this shortcut.
		p.stamps.trees, _ = relgit.CleanTrees(ctx, dirs)
	})
	tree, clean := p.stamps.trees[c.Dir]
	if !clean {
		return "", nil, false, nil
	}
	// helm v1 charts keep dependencies in requirements.yaml, which the
	// loader folds into the metadata: left to the packager.
	if _, err := os.Stat(filepath.Join(c.Dir, "requirements.yaml")); err == nil {
		return "", nil, false, nil
	}
	meta, err := loadChartfile(filepath.Join(c.Dir, chartfileName))
	if err != nil {
		// The packager says what is wrong with the file.
		return "", nil, false, nil
	}
	if !vendoredOnly(meta) {
		return "", nil, false, nil
	}
	// As loader.LoadFiles does for a Chart.yaml without apiVersion.
	if meta.APIVersion == "" {
		meta.APIVersion = chart.APIVersionV1
	}
	configBlob, err = json.Marshal(meta)
	if err != nil {
		return "", nil, false, nil
	}
	return "git-tree:" + tree, configBlob, true, nil
}

// vendoredOnly reports that every dependency of the chart is in its own
// charts/ folder (no repository).
func vendoredOnly(meta *chart.Metadata) bool {
	for _, d := range meta.Dependencies {
		if d == nil || d.Repository != "" {
			return false
		}
	}
	return true
}

// stampAnnotations are the annotations relctl adds to the manifest of a
// stamped package, so that a later plan of the same sources can tell from
// the manifest alone what the package holds (state.FromStamp).
func stampAnnotations(stamp, contentDigest string, deps []state.Dependency) (map[string]string, error) {
	out := map[string]string{
		state.AnnotationSource:  stamp,
		state.AnnotationContent: contentDigest,
	}
	if len(deps) > 0 {
		b, err := json.Marshal(deps)
		if err != nil {
			return nil, err
		}
		out[state.AnnotationDependencies] = string(b)
	}
	return out, nil
}

var _ state.SourceStamper = (*Packager)(nil)
