package provenance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
)

// statement is the part of an in-toto statement Compare reads.
type statement struct {
	Type    string `json:"_type"`
	Subject []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	PredicateType string `json:"predicateType"`
	Predicate     struct {
		BuildDefinition map[string]json.RawMessage `json:"buildDefinition"`
	} `json:"predicate"`
}

// buildDefinitionFields are compared one by one, in this order, so that a
// difference is named.
var buildDefinitionFields = []string{"buildType", "externalParameters", "internalParameters", "resolvedDependencies"}

// Names reports whether payload is an in-toto statement of relctl's
// provenance (predicate and build type) with manifest ("sha256:<hex>")
// among its subjects. It says why not in words.
func Names(payload []byte, manifest string) (bool, string) {
	st, err := parse(payload)
	if err != nil {
		return false, err.Error()
	}
	return st.names(manifest)
}

func (st *statement) names(manifest string) (bool, string) {
	if st.PredicateType != PredicateType {
		return false, fmt.Sprintf("predicate %s, not SLSA v1 provenance", st.PredicateType)
	}
	alg, hex, _ := strings.Cut(manifest, ":")
	for _, s := range st.Subject {
		if s.Digest[alg] == hex {
			return true, ""
		}
	}
	return false, "its subject is not " + manifest
}

// Compare tells whether an observed statement attests what want (a
// Statement of this package) attests: the same subject digest, and the same
// build definition — build type, external and internal parameters and
// resolved dependencies. runDetails (which workflow run, which relctl
// version) describe one execution, not the build: a later run of the same
// inputs is the same provenance. When they differ, diff names what differs
// ("externalParameters, resolvedDependencies").
func Compare(observed, want []byte, manifest string) (same bool, diff string, err error) {
	w, err := parse(want)
	if err != nil {
		return false, "", fmt.Errorf("the planned statement: %w", err)
	}
	o, err := parse(observed)
	if err != nil {
		return false, err.Error(), nil
	}
	if ok, why := o.names(manifest); !ok {
		return false, why, nil
	}
	var differ []string
	for _, f := range buildDefinitionFields {
		a, err := canon(o.Predicate.BuildDefinition[f])
		if err != nil {
			return false, fmt.Sprintf("buildDefinition.%s is not JSON", f), nil
		}
		b, err := canon(w.Predicate.BuildDefinition[f])
		if err != nil {
			return false, "", fmt.Errorf("the planned statement: buildDefinition.%s: %w", f, err)
		}
		if !bytes.Equal(a, b) {
			differ = append(differ, f)
		}
	}
	if len(differ) > 0 {
		return false, strings.Join(differ, ", ") + " differ", nil
	}
	return true, "", nil
}

func parse(payload []byte) (*statement, error) {
	var st statement
	if err := json.Unmarshal(payload, &st); err != nil || !strings.HasPrefix(st.Type, "https://in-toto.io/Statement/") {
		return nil, fmt.Errorf("not an in-toto statement")
	}
	return &st, nil
}

func canon(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	// The canonicalizer takes an object or array, not a bare string.
	return jsoncanonicalizer.Transform(append(append([]byte(`[`), raw...), ']'))
}

// SameBuildType reports whether two statements (observed, want) were made
// by the same build type: relctl's, of the same meaning.
func SameBuildType(observed, want []byte) bool {
	o, err := parse(observed)
	if err != nil {
		return false
	}
	w, err := parse(want)
	if err != nil {
		return false
	}
	a, errA := canon(o.Predicate.BuildDefinition["buildType"])
	b, errB := canon(w.Predicate.BuildDefinition["buildType"])
	return errA == nil && errB == nil && bytes.Equal(a, b)
}
