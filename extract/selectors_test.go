package extract

import (
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// TestCrumbMatcherIsTheSelector: the hand-made breadcrumb matcher matches
// what the selector it stands for matches.
func TestCrumbMatcherIsTheSelector(t *testing.T) {
	sel := cascadia.MustCompile(`[class*=breadcrumb i], [id*=breadcrumb i], [class*=crumbs i], [id*=crumbs i],
		[class*=pathway i], [id*=pathway i], [aria-label=breadcrumb i]`)
	doc, err := Parse(`<div class="bx-breadcrumb"></div><div id="BreadCrumbs"></div><ul class="crumbs-list"></ul>
<nav aria-label="Breadcrumb"></nav><div class="pathway"></div><div id="top-PATHWAY"></div><div class="bread crumb"></div>
<div class="menu"></div><nav aria-label="breadcrumbs"></nav><p title="breadcrumb"></p><div data-class="breadcrumb"></div>`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	walk(doc, func(x *html.Node) bool {
		if x.Type == html.ElementNode {
			n++
			if got, want := (crumbMatcher{}).Match(x), sel.Match(x); got != want {
				t.Errorf("<%s %v>: matcher %v, selector %v", x.Data, x.Attr, got, want)
			}
		}
		return true
	})
	if n < 11 {
		t.Fatalf("only %d elements", n)
	}
}

func TestCollapseIsFieldsJoined(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a  b\t\nc ", "\u00a0Иван\u2003Иванов\u00a0", "\xffa b\xfe", "a\u0085b"} {
		if got, want := collapse(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}
