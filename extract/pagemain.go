package extract

import (
	"fmt"
	"perenos/links"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// This file chooses the main content of a page from the page alone (no
// learned template): the benchmark's case, and single pages of small
// sites. It scores blocks of running text readability-style (length,
// commas, the ids and classes of their ancestors, link density), takes the
// best-scoring container with its similar siblings, and then prunes what
// inside it looks like boilerplate (link lists, share bars, image strips).
// Links to attachments do not count as links: a list of documents to
// download is content, not navigation.

// blockAtomsPage are elements that start a block of text; text directly
// inside one (not in a nested block) is that block's own text.
var blockAtomsPage = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Dd: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figure: true, atom.Figcaption: true, atom.Footer: true,
	atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true,
	atom.Section: true, atom.Table: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Tr: true,
	atom.Td: true, atom.Th: true, atom.Ul: true, atom.Center: true, atom.Body: true, atom.Html: true,
	atom.Details: true, atom.Summary: true, atom.Caption: true,
}

// Words in an id or class that mark a block as unlikely to be content
// (matched as substrings), unless a content word is also there.
var (
	unlikelyWords = []string{"banner", "breadcrumb", "combx", "comment", "community", "disqus", "extra", "footer",
		"gdpr", "cookie", "header", "menu", "related", "remark", "replies", "rss", "shoutbox", "sidebar", "skyscraper",
		"social", "sponsor", "supplemental", "pagination", "pager", "popup", "modal", "newsletter", "subscribe",
		"share", "sharing", "promo", "advert", "signup", "login", "toolbar", "navbar", "navigation", "masthead",
		"recommend", "trending", "most-popular", "mostpopular", "outbrain", "taboola", "byline", "author-bio",
		"counter", "calendar", "visually", "impaired", "slabovid"}
	// Words that mark a block as boilerplate even beside a content word
	// ("entry-meta", "post-tags", "related-content", "article-share").
	strongWords = []string{"share", "sharing", "social", "related", "comment", "newsletter", "subscribe", "promo",
		"advert", "breadcrumb", "byline", "caption", "credit", "recommend", "most-popular", "signup",
		"cookie", "gdpr", "disqus", "outbrain", "taboola", "author-bio", "timestamp"}
	// Last parts of a class word ("entry-meta", "post-tags", "article__date")
	// that mark boilerplate; as a last part only, so that WordPress's
	// "tag-school" or "category-news" on a whole post do not.
	strongTokens = map[string]bool{"meta": true, "tags": true, "tag": true, "ad": true, "ads": true, "nav": true,
		"date": true, "dateline": true, "time": true, "published": true, "posted": true, "pubdate": true,
		"byline": true, "author": true, "tagged": true, "keywords": true, "updated": true}
	// Words that keep a block whatever else its names say: embedded posts
	// and media quoted in the text.
	keepWords  = []string{"embed", "tweet", "instagram-media"}
	maybeWords = []string{"article", "body", "column", "content", "main", "shadow", "story", "entry", "text", "post"}
	// Whole tokens (class or id split at spaces, dashes, underscores) that
	// are unlikely content; too short to match as substrings.
	unlikelyTokens = map[string]bool{"nav": true, "ad": true, "ads": true, "share": true, "aside": true, "foot": true,
		"search": true, "bvi": true}
	positiveWords = []string{"article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
		"blog", "story", "news-detail", "detail"}
	negativeWords = []string{"hidden", "banner", "combx", "comment", "com-", "contact", "footer", "masthead", "media",
		"meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor",
		"shopping", "tags", "widget", "caption", "credit", "byline", "author", "date", "subscribe", "newsletter",
		"menu", "nav"}
)

// unlikelyRoles are ARIA roles of blocks that are never the main content.
var unlikelyRoles = map[string]bool{"menu": true, "menubar": true, "complementary": true, "navigation": true,
	"alert": true, "alertdialog": true, "dialog": true, "banner": true, "contentinfo": true, "search": true}

type nodeStat struct {
	text, link, commas int // over the subtree
	own, ownCommas     int // directly inside, not in a nested block
	ownBr              int // line breaks directly inside
	articles           int // <article> elements inside
	score              float64
	candidate          bool
}

func (s *nodeStat) linkDensity() float64 {
	if s == nil || s.text == 0 {
		return 0
	}
	return float64(s.link) / float64(s.text)
}

type pageScorer struct {
	stats    map[*html.Node]*nodeStat
	excluded map[*html.Node]string // unlikely blocks and why
	useNames bool                  // exclude blocks by their ids and classes
	byName   []*html.Node          // excluded by tag, role or name, not hidden
}

func (s *pageScorer) stat(n *html.Node) *nodeStat {
	st := s.stats[n]
	if st == nil {
		st = &nodeStat{}
		s.stats[n] = st
	}
	return st
}

// idClass is an element's class and id, lower-case.
func idClass(n *html.Node) string {
	c, id := attr(n, "class"), attr(n, "id")
	if c == "" && id == "" {
		return ""
	}
	return strings.ToLower(c + " " + id)
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// lastPartAny reports whether a class word of s ends in one of the tokens.
func lastPartAny(s string, set map[string]bool) bool {
	for _, w := range strings.Fields(s) {
		if i := strings.LastIndexAny(w, "-_"); i >= 0 {
			w = w[i+1:]
		}
		if set[w] {
			return true
		}
	}
	return false
}

func tokensAny(s string, set map[string]bool) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }) {
		if set[f] {
			return true
		}
	}
	return false
}

// classWeight is readability's ±25 for content-like and boilerplate-like
// ids and classes.
func classWeight(n *html.Node) float64 {
	w := 0.0
	for _, v := range []string{attr(n, "class"), attr(n, "id")} {
		if v == "" {
			continue
		}
		v = strings.ToLower(v)
		if containsAny(v, negativeWords) {
			w -= 25
		}
		if containsAny(v, positiveWords) {
			w += 25
		}
	}
	return w
}

// unlikelyWhy says why n is not content by its tag, ARIA role or (with
// useNames) its id and classes, or "".
func unlikelyWhy(n *html.Node, useNames bool) string {
	switch n.DataAtom {
	case atom.Nav, atom.Aside:
		return "навигация или боковая колонка (<" + n.Data + ">)"
	case atom.Footer:
		if !inside(n, atom.Article) {
			return "подвал (<footer>)"
		}
	case atom.Header:
		if !inside(n, atom.Article) && !inside(n, atom.Main) {
			return "шапка сайта (<header>)"
		}
	case atom.Dialog:
		return "диалог (<dialog>)"
	case atom.Figcaption:
		return "подпись к иллюстрации"
	}
	if r := strings.ToLower(attr(n, "role")); unlikelyRoles[r] {
		return "роль " + r
	}
	// A panel of tabs or an accordion (panels.go) is text whatever the
	// theme called it ("tab-menu" for a canteen's menu of the week).
	if !useNames || n.DataAtom == atom.Body || n.DataAtom == atom.A || n.DataAtom == atom.Html ||
		n.DataAtom == atom.Main || n.DataAtom == atom.Article || isPanel(n) {
		return ""
	}
	ic := idClass(n)
	if ic == "" {
		return ""
	}
	return namesWhy(ic)
}

// namesWhy says why an element whose class and id (lower-case) are ic is
// not content, or "". A page repeats its class names, so the answers are
// kept (up to a bound, for pages that invent a name per element).
func namesWhy(ic string) string {
	namesMu.Lock()
	why, ok := namesSeen[ic]
	namesMu.Unlock()
	if ok {
		return why
	}
	switch {
	case containsAny(ic, keepWords):
	case containsAny(ic, strongWords) || lastPartAny(ic, strongTokens) ||
		(containsAny(ic, unlikelyWords) || tokensAny(ic, unlikelyTokens)) && !containsAny(ic, maybeWords):
		why = "элемент оформления (" + clip(strings.TrimSpace(ic), 60) + ")"
	}
	namesMu.Lock()
	if len(namesSeen) >= 4096 {
		clear(namesSeen)
	}
	namesSeen[ic] = why
	namesMu.Unlock()
	return why
}

var (
	namesMu   sync.Mutex
	namesSeen = map[string]string{}
)

// hiddenAttr reports whether n is hidden by its markup (the hidden
// attribute, aria-hidden, an inline display:none), and how.
func hiddenAttr(n *html.Node) (string, bool) {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return "hidden", true
		case "aria-hidden":
			if strings.EqualFold(a.Val, "true") {
				return "aria-hidden", true
			}
		case "style":
			st := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
			if strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
				return "style", true
			}
		}
	}
	return "", false
}

// markUnlikely records the blocks that are not content by their markup,
// outermost first, without removing them yet.
func (s *pageScorer) markUnlikely(root *html.Node) {
	walk(root, func(n *html.Node) bool {
		if n.Type != html.ElementNode || n.DataAtom == atom.Body || n.DataAtom == atom.Html {
			return true
		}
		if _, hidden := hiddenAttr(n); hidden {
			s.excluded[n] = "скрытый блок"
			return false
		}
		if why := unlikelyWhy(n, s.useNames); why != "" && !holdsLandmark(n) && !titleBlock(n) {
			s.excluded[n] = why
			s.byName = append(s.byName, n)
			return false
		}
		return true
	})
}

// keepLargeNamed takes back the blocks excluded by their names alone that
// hold most of the page's text: too much to be a menu or a share bar,
// whatever the theme called them. It measures again if it took any back.
func (s *pageScorer) keepLargeNamed(body *html.Node) {
	sizes := make(map[*html.Node]int, len(s.byName))
	total := s.stat(body).text
	for n := range s.excluded {
		size := rawTextLen(n)
		total += size
		sizes[n] = size
	}
	again := false
	for _, n := range s.byName {
		if size := sizes[n]; size > 500 && size*2 > total {
			delete(s.excluded, n)
			again = true
			// What inside it is unlikely by itself still is.
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				s.markUnlikely(c)
			}
		}
	}
	if again {
		clear(s.stats)
		s.measure(body, nil, false)
	}
}

// countImages counts the <img> elements under n.
func countImages(n *html.Node) int {
	return len(selImgs.MatchAll(n))
}

// textHead is the text under n, spaces collapsed, clipped to max runes;
// it stops reading once it has enough, so a long block costs little.
func textHead(n *html.Node, max int) string {
	var b strings.Builder
	stop := false
	walk(n, func(c *html.Node) bool {
		if stop {
			return false
		}
		if c.Type == html.TextNode {
			for _, f := range strings.Fields(c.Data) {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(f)
			}
			stop = b.Len() > 4*max
		}
		return !(c.Type == html.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style))
	})
	return clip(b.String(), max)
}

// rawTextLen is the length of all text under n.
func rawTextLen(n *html.Node) int {
	l := 0
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			l += textLen(c.Data)
		}
		return true
	})
	return l
}

// titleBlock reports whether n only frames the page's heading (a theme's
// "page-header" around the <h1>): a heading without links that is nearly
// all of n's text. A site's header with a linked logo, a phone number or
// a menu is not one.
func titleBlock(n *html.Node) bool {
	if n.DataAtom == atom.Nav || n.DataAtom == atom.Aside || n.DataAtom == atom.Footer {
		return false
	}
	h := selH1H2.MatchFirst(n)
	if h == nil || selA.MatchFirst(h) != nil {
		return false
	}
	ht := rawTextLen(h)
	return ht > 0 && float64(ht) >= 0.8*float64(rawTextLen(n))
}

// holdsLandmark reports whether n contains the page's declared main content.
func holdsLandmark(n *html.Node) bool {
	return cascadia.Query(n, selDeclaredMain) != nil
}

// textLen counts the runes of s with each run of spaces as one.
func textLen(s string) int {
	n, space := 0, true
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				n++
			}
			space = true
			continue
		}
		n++
		space = false
	}
	if n > 0 && space {
		n--
	}
	return n
}

// isNavLink reports whether an <a> counts towards link density: a link to
// another page, not to an attachment.
func isNavLink(n *html.Node) bool {
	href := strings.TrimSpace(attr(n, "href"))
	if href == "" {
		return false
	}
	p := href
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 && i > strings.LastIndexByte(p, '/') {
		if links.IsFileExt(p[i:]) {
			return false
		}
	}
	return true
}

func (s *pageScorer) measure(n, block *html.Node, inLink bool) (text, link, commas int) {
	switch n.Type {
	case html.TextNode:
		l := textLen(n.Data)
		if l == 0 {
			return 0, 0, 0
		}
		c := strings.Count(n.Data, ",") + strings.Count(n.Data, "，")
		if block != nil {
			st := s.stat(block)
			st.own += l
			st.ownCommas += c
		}
		if inLink {
			link = l
		}
		return l, link, c
	case html.ElementNode:
		if s.excluded[n] != "" {
			return 0, 0, 0
		}
		if blockAtomsPage[n.DataAtom] {
			block = n
		}
		if n.DataAtom == atom.Br && block != nil {
			s.stat(block).ownBr++
		}
		if n.DataAtom == atom.A && isNavLink(n) {
			inLink = true
		}
	case html.DocumentNode:
	default:
		return 0, 0, 0
	}
	articles := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t, l, cm := s.measure(c, block, inLink)
		text += t
		link += l
		commas += cm
		if c.Type == html.ElementNode {
			if cs := s.stats[c]; cs != nil {
				articles += cs.articles
			}
			if c.DataAtom == atom.Article && s.excluded[c] == "" {
				articles++
			}
		}
	}
	if n.Type == html.ElementNode {
		st := s.stat(n)
		st.text, st.link, st.commas, st.articles = text, link, commas, articles
	}
	return text, link, commas
}

func tagScore(n *html.Node) float64 {
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main, atom.Section:
		return 5
	case atom.Pre, atom.Td, atom.Blockquote:
		return 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		return -3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		return -5
	}
	return 0
}

// score gives each container points for the blocks of running text in it.
func (s *pageScorer) score(root *html.Node) {
	type block struct{ n, table *html.Node }
	var blocks []block
	// A cell of a data table is not a container of its own: its text
	// scores the whole table, so that a table of staff or fees is taken
	// whole, never one of its cells.
	var visit func(n, table *html.Node)
	visit = func(n, table *html.Node) {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode || s.excluded[n] != "" {
			return
		}
		if n.DataAtom == atom.Table && table == nil && isDataTable(n) {
			table = n
		}
		if st := s.stats[n]; st != nil && st.own >= 25 {
			switch n.DataAtom {
			case atom.Ul, atom.Ol, atom.Table, atom.Tbody, atom.Tr, atom.Dl, atom.Body, atom.Html:
			default:
				blocks = append(blocks, block{n, table})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, table)
		}
	}
	visit(root, nil)
	for _, bt := range blocks {
		b := bt.n
		st := s.stats[b]
		own := st.own
		// Readability's paragraph score: a point, a point per comma and
		// one per hundred characters up to three.
		sc := 1 + float64(st.ownCommas) + min(float64(own)/100, 3)
		first := b.Parent
		switch b.DataAtom {
		case atom.Div, atom.Td, atom.Section, atom.Article, atom.Main, atom.Center, atom.Blockquote, atom.Dd:
			// Text straight in a container (legacy pages: a cell or a div
			// of text split by <br>s) counts as paragraphs of the
			// container itself, one per pair of line breaks.
			paras := max(1, min(st.ownBr/2, own/80))
			sc = float64(paras) + float64(st.ownCommas) + min(float64(own)/100/float64(paras), 3)*float64(paras)
			first = b
		}
		if bt.table != nil {
			first = bt.table
		}
		level := 0
		for a := first; a != nil && a.Type == html.ElementNode && level < 5; a = a.Parent {
			as := s.stat(a)
			if !as.candidate {
				as.candidate = true
				as.score = tagScore(a) + classWeight(a)
			}
			div := 1.0
			switch {
			case level == 1:
				div = 2
			case level > 1:
				div = float64(level * 3)
			}
			as.score += sc / div
			level++
			if a == root {
				break
			}
		}
	}
}

// best returns the container with the highest score after link density.
func (s *pageScorer) best(root *html.Node) *html.Node {
	var top *html.Node
	topScore := 0.0
	var cands []*html.Node
	walk(root, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return n.Type == html.DocumentNode
		}
		if s.excluded[n] != "" {
			return false
		}
		st := s.stats[n]
		if st == nil || !st.candidate {
			return true
		}
		f := st.score * (1 - st.linkDensity())
		if s.teaserList(n) {
			// A feed of teasers ("related posts") is not the article.
			f *= 0.3
		}
		st.score = f
		cands = append(cands, n)
		if top == nil || f > topScore {
			top, topScore = n, f
		}
		return true
	})
	if top == nil {
		return nil
	}
	// When several other blocks score nearly as well (an article split
	// into cards or sections), take the nearest ancestor holding three.
	sort.SliceStable(cands, func(i, j int) bool { return s.stats[cands[i]].score > s.stats[cands[j]].score })
	var alts []*html.Node
	for _, c := range cands[1:min(len(cands), 5)] {
		if s.stats[c].score >= 0.75*topScore && !isAncestor(c, top) && !isAncestor(top, c) {
			alts = append(alts, c)
		}
	}
	if len(alts) >= 3 {
		for p := top.Parent; p != nil && p != root && p.DataAtom != atom.Body; p = p.Parent {
			n := 0
			for _, a := range alts {
				if isAncestor(p, a) {
					n++
				}
			}
			if n >= 3 {
				top = p
				break
			}
		}
	}
	// Climb while the parent scores better or is a mere wrapper.
	last := topScore
	for p := top.Parent; p != nil && p.Type == html.ElementNode && p != root && p.DataAtom != atom.Body; p = p.Parent {
		ps := s.stats[p]
		if ps == nil || !ps.candidate {
			continue
		}
		if ps.score < topScore/3 {
			break
		}
		if ps.score > last {
			top = p
			break
		}
		last = ps.score
	}
	for top.Parent != nil && top.Parent != root && top.Parent.DataAtom != atom.Body && onlyElementChild(top) {
		top = top.Parent
	}
	return top
}

// teaserList reports whether n is, or is inside, one of three or more
// sibling <article>s, or holds three or more <article>s: a
// list of teasers rather than one text.
func (s *pageScorer) teaserList(n *html.Node) bool {
	for a := n; a != nil; a = a.Parent {
		if a.DataAtom == atom.Article {
			if countSiblings(a, atom.Article) >= 2 {
				return true
			}
			break
		}
	}
	st := s.stats[n]
	return st != nil && st.articles >= 3
}

func countSiblings(n *html.Node, a atom.Atom) int {
	k := 0
	for _, dir := range []func(*html.Node) *html.Node{
		func(x *html.Node) *html.Node { return x.PrevSibling },
		func(x *html.Node) *html.Node { return x.NextSibling },
	} {
		for c := dir(n); c != nil; c = dir(c) {
			if c.DataAtom == a {
				k++
			}
		}
	}
	return k
}

// bestInside is the best score of a candidate under n (n included).
func (s *pageScorer) bestInside(n *html.Node) float64 {
	best := 0.0
	walk(n, func(c *html.Node) bool {
		if c.Type != html.ElementNode || s.excluded[c] != "" {
			return false
		}
		if st := s.stats[c]; st != nil && st.candidate {
			best = max(best, st.score)
		}
		return true
	})
	return best
}

func isHeading(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3:
		return true
	}
	return false
}

// headingLeads reports whether only headings and blank text stand between
// the heading h and top, its later sibling.
func headingLeads(h, top *html.Node) bool {
	for c := h.NextSibling; c != nil; c = c.NextSibling {
		if c == top {
			return true
		}
		if c.Type == html.ElementNode && !isHeading(c) || c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return false
		}
	}
	return false
}

// isAncestor reports whether a is n or one of n's ancestors.
func isAncestor(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

func onlyElementChild(n *html.Node) bool {
	for c := n.Parent.FirstChild; c != nil; c = c.NextSibling {
		if c != n && (c.Type == html.ElementNode || c.Type == html.TextNode && strings.TrimSpace(c.Data) != "") {
			return false
		}
	}
	return true
}

// pageMain chooses and cleans the main content of body, a page alone. It
// removes what it drops from the tree and says why.
func pageMain(body *html.Node) (*html.Node, []Dropped) {
	s := &pageScorer{stats: map[*html.Node]*nodeStat{}, excluded: map[*html.Node]string{}, useNames: true}
	s.markUnlikely(body)
	s.measure(body, nil, false)
	s.keepLargeNamed(body)
	s.score(body)
	top := s.best(body)
	if top == nil || s.stats[top].text < 250 {
		// Too little survived the names: score again without them.
		s2 := &pageScorer{stats: map[*html.Node]*nodeStat{}, excluded: map[*html.Node]string{}}
		s2.markUnlikely(body)
		s2.measure(body, nil, false)
		s2.score(body)
		if t2 := s2.best(body); t2 != nil && (top == nil || s2.stats[t2].text > 2*s.stats[top].text) {
			s, top = s2, t2
		}
	}
	if top == nil {
		return body, nil
	}
	top = s.wholePanels(top, body)
	var dropped []Dropped
	drop := func(n *html.Node, why string) {
		if t := textHead(n, 300); t != "" {
			dropped = append(dropped, Dropped{Text: t, Why: why})
		} else if k := countImages(n); k > 0 {
			dropped = append(dropped, Dropped{Text: fmt.Sprintf("изображения без текста: %d", k), Why: why})
		}
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	main := s.withSiblings(top, drop)
	s.prune(main, drop)
	accountOutside(main, body, s.excluded, &dropped)
	return main, dropped
}

// accountOutside records, for the review, every block of the page outside
// main: the siblings of main and of each of its ancestors up to body, with
// the reason a block was excluded when it had one.
func accountOutside(main, body *html.Node, excluded map[*html.Node]string, dropped *[]Dropped) {
	for n := main; n != nil && n != body && n.Parent != nil; n = n.Parent {
		for c := n.Parent.FirstChild; c != nil; c = c.NextSibling {
			if c == n || c.Type != html.ElementNode && c.Type != html.TextNode {
				continue
			}
			t := textHead(c, 300)
			if t == "" {
				k := countImages(c)
				if k == 0 {
					continue
				}
				t = fmt.Sprintf("изображения без текста: %d", k)
			}
			why := excluded[c]
			if why == "" {
				why = "вне основного содержания страницы"
			}
			*dropped = append(*dropped, Dropped{Text: t, Why: why})
		}
	}
}

// withSiblings keeps top's siblings that score close to it or are plain
// paragraphs of text, and returns their common parent (or top alone).
func (s *pageScorer) withSiblings(top *html.Node, drop func(*html.Node, string)) *html.Node {
	parent := top.Parent
	if parent == nil || parent.Type != html.ElementNode {
		return top
	}
	ts := s.stat(top)
	threshold := max(10, ts.score*0.2)
	topClass := attr(top, "class")
	keep := map[*html.Node]bool{top: true}
	extra := 0
	for c := parent.FirstChild; c != nil; c = c.NextSibling {
		if c == top || c.Type != html.ElementNode || s.excluded[c] != "" {
			continue
		}
		st := s.stats[c]
		if st == nil {
			continue
		}
		bonus := 0.0
		if topClass != "" && attr(c, "class") == topClass {
			bonus = ts.score * 0.2
		}
		ok := st.candidate && st.score+bonus >= threshold && !s.teaserList(c)
		if !ok && bonus > 0 && s.bestInside(c) >= max(10, s.bestInside(top)*0.3) && st.linkDensity() < 0.3 {
			// A sibling of the same kind holding text that scores like
			// the top's: the next part of an article split by figures.
			ok = true
		}
		if !ok && isHeading(c) && st.linkDensity() < 0.5 && headingLeads(c, top) {
			// The heading over the content is its title.
			ok = true
		}
		if !ok && (c.DataAtom == atom.P || c.DataAtom == atom.Ul || c.DataAtom == atom.Ol || c.DataAtom == atom.Table ||
			c.DataAtom == atom.Blockquote || c.DataAtom == atom.Pre || c.DataAtom == atom.H2 || c.DataAtom == atom.H3) {
			ld := st.linkDensity()
			ok = st.text > 80 && ld < 0.25 || st.text > 0 && st.text <= 80 && ld == 0 && c.DataAtom == atom.P
		}
		if ok {
			keep[c] = true
			extra++
		}
	}
	if extra == 0 {
		return top
	}
	var del []*html.Node
	for c := parent.FirstChild; c != nil; c = c.NextSibling {
		if !keep[c] && (c.Type == html.ElementNode || c.Type == html.TextNode && strings.TrimSpace(c.Data) != "") {
			del = append(del, c)
		}
	}
	for _, c := range del {
		drop(c, "вне основного содержания страницы")
	}
	return parent
}

// prune removes from main the blocks marked unlikely and the containers
// that look like boilerplate: mostly links, more images than text, a
// list of teasers.
func (s *pageScorer) prune(main *html.Node, drop func(*html.Node, string)) {
	type victim struct {
		n   *html.Node
		why string
	}
	var del []victim
	mainText := s.stat(main).text
	walk(main, func(n *html.Node) bool {
		if n.Type != html.ElementNode || n == main {
			return true
		}
		if why := s.excluded[n]; why != "" {
			del = append(del, victim{n, why})
			return false
		}
		switch n.DataAtom {
		case atom.Div, atom.Section, atom.Ul, atom.Ol, atom.Table, atom.Header, atom.Figure, atom.Dl:
		default:
			return true
		}
		if st := s.stats[n]; st != nil && st.text*2 > mainText {
			return true
		}
		if why := s.boilerplateWhy(n); why != "" {
			del = append(del, victim{n, why})
			return false
		}
		return true
	})
	for _, v := range del {
		drop(v.n, v.why)
	}
}

func (s *pageScorer) boilerplateWhy(n *html.Node) string {
	st := s.stats[n]
	if st == nil {
		return ""
	}
	weight := classWeight(n)
	if weight+st.score < 0 && st.candidate && !isPanel(n) {
		return "оформление по имени класса"
	}
	if st.commas >= 10 {
		return ""
	}
	if n.DataAtom == atom.Table && isDataTable(n) {
		return ""
	}
	// Photos, maps and videos stay: on these sites a gallery or a map is
	// content to migrate, not decoration.
	var ps, lis int
	for _, c := range selParasItems.MatchAll(n) {
		if c.DataAtom == atom.P {
			ps++
		} else {
			lis++
		}
	}
	list := n.DataAtom == atom.Ul || n.DataAtom == atom.Ol
	ld := st.linkDensity()
	switch {
	case !list && lis > ps && lis > 3 && ld > 0.5:
		return "список ссылок"
	case weight < 25 && ld > 0.5 && st.text > 0:
		return "блок ссылок"
	case weight >= 25 && ld > 0.7:
		return "блок ссылок"
	}
	return ""
}

// isDataTable reports whether a table holds data (rows and columns of
// cells) rather than layout.
func isDataTable(t *html.Node) bool {
	if strings.EqualFold(attr(t, "role"), "presentation") {
		return false
	}
	if cascadia.Query(t, selTable) != nil {
		return false
	}
	if attr(t, "summary") != "" || selHeaderCells.MatchFirst(t) != nil {
		return true
	}
	// Without header cells, only a table big enough to be a grid is data;
	// a two-by-two table of menu, content and footer is layout.
	rows, cols := 0, 0
	eachRow(t, func(tr *html.Node) {
		rows++
		c := 0
		for x := tr.FirstChild; x != nil; x = x.NextSibling {
			if x.DataAtom == atom.Td {
				c++
			}
		}
		cols = max(cols, c)
	})
	return rows >= 2 && cols >= 2 && (rows >= 10 || cols > 4 || rows*cols > 10)
}
