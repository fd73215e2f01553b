package helm

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// A chart repository's index.yaml, read as helm v3.22's pkg/repo reads it.
// relctl does not import pkg/repo: it pulls helm's getter and through it
// kubectl and kustomize into the build, for three small types. The format
// is helm's: index.go's IndexFile and ChartVersion, chartrepo.go's
// ResolveReferenceURL; helmtest serves indexes of this shape.

// IndexFile is a chart repository's index.yaml.
type IndexFile struct {
	APIVersion string                     `json:"apiVersion"`
	Generated  time.Time                  `json:"generated"`
	Entries    map[string][]*ChartVersion `json:"entries"`
}

// ChartVersion is one entry of an index: the chart's metadata, where its
// archive is, and the archive's sha256 (hex, without prefix).
type ChartVersion struct {
	*chart.Metadata
	URLs    []string  `json:"urls"`
	Created time.Time `json:"created,omitempty"`
	Digest  string    `json:"digest,omitempty"`
}

// parseIndex reads an index (YAML or JSON) and sorts each chart's versions
// newest first, invalid versions last, as helm's SortEntries does.
func parseIndex(data []byte) (*IndexFile, error) {
	idx := &IndexFile{}
	if err := yaml.Unmarshal(data, idx); err != nil {
		return nil, err
	}
	if idx.APIVersion == "" {
		return nil, fmt.Errorf("no apiVersion: not a chart repository index")
	}
	for name, cvs := range idx.Entries {
		kept := cvs[:0]
		for _, cv := range cvs {
			if cv != nil && cv.Metadata != nil {
				kept = append(kept, cv)
			}
		}
		sort.SliceStable(kept, func(a, b int) bool { return versionLess(kept[b].Version, kept[a].Version) })
		idx.Entries[name] = kept
	}
	return idx, nil
}

// versionLess is helm's ChartVersions.Less: a version that does not parse
// sorts before every other.
func versionLess(a, b string) bool {
	i, err := semver.NewVersion(a)
	if err != nil {
		return true
	}
	j, err := semver.NewVersion(b)
	if err != nil {
		return false
	}
	return i.LessThan(j)
}

// resolveReferenceURL is helm's repo.ResolveReferenceURL: an entry URL
// relative to the repository URL (which gets a trailing slash), keeping
// the repository URL's query.
func resolveReferenceURL(baseURL, refURL string) (string, error) {
	ref, err := url.Parse(refURL)
	if err != nil {
		return "", fmt.Errorf("failed to parse %s as URL: %w", refURL, err)
	}
	if ref.IsAbs() {
		return refURL, nil
	}
	base, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("failed to parse %s as URL: %w", baseURL, err)
	}
	base.RawPath = strings.TrimSuffix(base.RawPath, "/") + "/"
	base.Path = strings.TrimSuffix(base.Path, "/") + "/"
	resolved := base.ResolveReference(ref)
	resolved.RawQuery = base.RawQuery
	return resolved.String(), nil
}
