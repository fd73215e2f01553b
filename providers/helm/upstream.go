package helm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/state"
)

// ownContent returns the content digest of a chart archive's own files (all
// but charts/ and Chart.lock at the chart's top level) and its Chart.lock,
// nil when it has none. Its construction is ContentDigest's, on fewer files.
func ownContent(archive []byte) (string, *chart.Lock, error) {
	files, err := readFiles(archive)
	if err != nil {
		return "", nil, err
	}
	var own []entry
	var lock *chart.Lock
	for _, f := range files {
		_, rest, _ := strings.Cut(f.name, "/")
		switch {
		case rest == "Chart.lock":
			lock = &chart.Lock{}
			if err := yaml.Unmarshal(f.data, lock); err != nil {
				return "", nil, fmt.Errorf("read Chart.lock: %w", err)
			}
		case strings.HasPrefix(rest, "charts/"):
		default:
			own = append(own, f)
		}
	}
	sort.Slice(own, func(i, j int) bool { return own[i].name < own[j].name })
	h := sha256.New()
	for _, f := range own {
		h.Write([]byte(path.Clean(f.name)))
		h.Write([]byte{0})
		h.Write([]byte(strconv.Itoa(len(f.data))))
		h.Write([]byte{0})
		h.Write(f.data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), lock, nil
}

var _ state.UpstreamComparer = (*Packager)(nil)

// CompareUpstream tells whether a published archive differs from the local
// package only by newer upstream dependency releases: the same own files,
// and a Chart.lock that still satisfies today's constraints (or, when the
// chart commits its lock, the same locked versions).
func (p *Packager) CompareUpstream(remote []byte, local *state.Package) (*state.UpstreamComparison, error) {
	own, lock, err := ownContent(remote)
	if err != nil {
		return nil, err
	}
	out := &state.UpstreamComparison{SameOwnFiles: own == local.OwnDigest}
	if !out.SameOwnFiles || len(local.Dependencies) == 0 {
		return out, nil
	}
	if lock == nil || len(lock.Dependencies) != len(local.Dependencies) {
		return out, nil
	}
	for i, d := range local.Dependencies {
		l := lock.Dependencies[i]
		if l == nil || l.Name != d.Name {
			return out, nil
		}
		if local.LockCommitted {
			if l.Version != d.Version {
				return out, nil
			}
			continue
		}
		if d.Source == state.SourceVendored {
			// A vendored chart is the chart's own content, and charts/
			// was left out of the comparison: it must be compared whole.
			return out, nil
		}
		cons, err := semver.NewConstraint(orStar(d.Constraint))
		v, verr := semver.NewVersion(l.Version)
		if err != nil || verr != nil || !cons.Check(v) {
			return out, nil
		}
		if l.Version != d.Version {
			out.Newer = append(out.Newer, d.Name+" "+d.Version)
		}
	}
	out.LockSatisfied = true
	return out, nil
}
