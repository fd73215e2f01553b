package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/Masterminds/semver/v3"
	"github.com/hashicorp/hcl/v2"
	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/internal/chartfile"
)

const chartFile = "Chart.yaml"

// chartNameRe is a chart name that can be the last element of an OCI
// repository name (<repository>/<name>). Helm itself accepts more (upper
// case, for one), and such a chart cannot be pushed.
var chartNameRe = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*$`)

// chartMetadata is the part of Chart.yaml the spec needs.
type chartMetadata struct {
	APIVersion  string `json:"apiVersion"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	AppVersion  string `json:"appVersion"`
	Description string `json:"description"`
}

// readChart reads the chart in dir (absolute; rel is the same relative to
// the spec directory, for messages). Problems are reported at decl, the
// block that declared or found the chart, naming the folder. It returns
// false after reporting.
func (l *loader) readChart(dir, rel string, decl hcl.Range) (*foundChart, bool) {
	at := decl.Ptr()
	if why := statFolder(dir); why != "" {
		l.errorf(at, "Chart folder not found", "%s: %s.", rel, why)
		return nil, false
	}
	src, err := os.ReadFile(filepath.Join(dir, chartFile))
	if errors.Is(err, fs.ErrNotExist) {
		l.errorf(at, "Missing Chart.yaml", "%s: no Chart.yaml; a chart folder needs one.", rel)
		return nil, false
	}
	if err != nil {
		l.errorf(at, "Cannot read Chart.yaml", "%s/Chart.yaml: %s.", rel, osReason(err))
		return nil, false
	}
	md, err := decodeChart(src)
	if err != nil {
		l.errorf(at, "Invalid Chart.yaml", "%s/Chart.yaml is not valid YAML for a chart: %s.", rel, err)
		return nil, false
	}

	ok := true
	switch {
	case md.Name == "":
		l.errorf(at, "Invalid chart name", "%s/Chart.yaml has no name.", rel)
		ok = false
	case !chartNameRe.MatchString(md.Name):
		l.errorf(at, "Invalid chart name",
			"%s: the chart name %q cannot be used in an OCI reference, where a chart is pushed as <repository>/<name>. Names there are lowercase letters and digits, separated by single \".\", \"_\" or \"-\". Rename the chart in Chart.yaml.",
			rel, md.Name)
		ok = false
	}
	var v *semver.Version
	switch {
	case md.Version == "":
		l.errorf(at, "Invalid chart version", "%s/Chart.yaml has no version.", rel)
		ok = false
	default:
		if v, err = semver.StrictNewVersion(md.Version); err != nil {
			l.errorf(at, "Invalid chart version",
				"%s: version %q in Chart.yaml is not strict semantic versioning. relctl requires MAJOR.MINOR.PATCH with an optional -prerelease and +build part, such as 1.2.0 or 1.2.0-rc.1, and no leading \"v\".",
				rel, md.Version)
			ok = false
		}
	}
	if !ok {
		return nil, false
	}
	return &foundChart{
		Chart: Chart{
			Name:       md.Name,
			Version:    md.Version,
			Dir:        dir,
			RelDir:     rel,
			Prerelease: v.Prerelease() != "",
			DeclRange:  decl,
		},
		appVersion:  md.AppVersion,
		description: md.Description,
	}, true
}

// decodeChart reads the fields the spec needs through chartfile, which
// decodes Chart.yaml as helm does, once per content: the packager's source
// stamp reads the same file of every chart in a plan and gets the decoding
// made here. A Chart.yaml helm would refuse for another field (keywords
// that are not a list…) is read for these fields alone, as before: the
// packager says what is wrong with the rest.
func decodeChart(src []byte) (chartMetadata, error) {
	if m, err := chartfile.Parse(src); err == nil {
		return chartMetadata{APIVersion: m.APIVersion, Name: m.Name, Version: m.Version, AppVersion: m.AppVersion, Description: m.Description}, nil
	}
	var md chartMetadata
	err := yaml.Unmarshal(src, &md)
	return md, err
}
