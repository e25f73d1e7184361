package mapping

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"perenos/store"
)

// writePlanJSON writes exactly json.Marshal's bytes: for the fixture
// sites' plans, and for plans whose lists are empty, nil, or hold text
// that JSON escapes.
func TestWritePlanJSONIsMarshal(t *testing.T) {
	ps := profiles(t)
	var plans []*Plan
	for _, row := range readFixTSV(t, "sites.tsv") {
		typ, err := store.ParseOrgType(row["org_type"])
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, Build(ps[typ], loadFixSite(t, row["site"], typ), Options{}))
	}
	odd := `"sections":null "items":null} <script>&</script> ` + "\u2028 \x01 ё"
	plans = append(plans,
		&Plan{Org: "nil-lists"},
		&Plan{Org: "empty", Sections: []SectionPlan{}, Unplaced: []Item{}, Excluded: []Item{}, Gaps: []Gap{}},
		&Plan{Org: odd, Type: store.School,
			Sections: []SectionPlan{{ID: odd, Title: odd, Mandated: true}, {ID: "b", Parent: odd, Items: []Item{}},
				{ID: "c", Items: []Item{{Key: odd, Title: odd, Body: odd, Fields: map[string]string{"z": odd, "a": "1"}, Menu: []string{odd}}}}},
			Unplaced: []Item{{Key: "u", Candidates: []Candidate{{Section: odd, Confidence: 0.5, Reasons: []string{odd}}}}},
			Excluded: []Item{{Key: "x", Reason: odd, CopyOf: odd}, {}},
			Gaps:     []Gap{{Section: odd, Item: `"excluded":null`, Why: odd}}})
	for _, p := range plans {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writePlanJSON(&got, p); err != nil {
			t.Fatalf("plan of %q: %v", p.Org, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("plan of %q: written JSON differs from json.Marshal's (%d bytes, want %d)\n got %.300s\nwant %.300s", p.Org, got.Len(), len(want), got.String(), want)
		}
	}
	if !strings.Contains(string(mustJSON(t, plans[0])), `"items":[{`) {
		t.Error("the first fixture plan places nothing: the test checks too little")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
