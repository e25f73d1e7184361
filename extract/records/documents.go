package records

import (
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// docExts are file types published as documents.
var docExts = map[string]bool{
	"pdf": true, "doc": true, "docx": true, "rtf": true, "odt": true, "xls": true, "xlsx": true, "ods": true,
	"ppt": true, "pptx": true, "pps": true, "odp": true, "zip": true, "rar": true, "7z": true, "txt": true, "sig": true,
}

// imageExts count as documents only when the title names a document kind
// (scans of a licence published as pictures).
var imageExts = map[string]bool{"jpg": true, "jpeg": true, "png": true, "gif": true, "tif": true, "tiff": true}

// downloadHints are URL fragments of download scripts that hide the file
// name (file/card?id=, download.php?id=).
var downloadHints = []string{"download", "getfile", "get_file", "file/card", "/attachment", "files.php", "file.php"}

// FileType returns the lower-case extension of a link's file name, or "".
func FileType(u *url.URL) string {
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(u.Path)), ".")
	if docExts[ext] || imageExts[ext] {
		return ext
	}
	// download.php?file=ustav.pdf
	for _, vs := range u.Query() {
		for _, v := range vs {
			e := strings.TrimPrefix(strings.ToLower(path.Ext(v)), ".")
			if docExts[e] {
				return e
			}
		}
	}
	return ""
}

// mayNameFile is a quick test of an href before it is resolved: a file
// extension on its path, a point in its query (download.php?file=a.pdf) or
// a download script's name. Links to pages, most of a page's links, fail
// it.
func mayNameFile(href string) bool {
	if i := strings.IndexByte(href, '#'); i >= 0 {
		href = href[:i]
	}
	p, q, _ := strings.Cut(href, "?")
	if strings.HasPrefix(p, "//") || strings.Contains(p, "://") {
		// the host is no file name: look at the path alone
		if i := strings.Index(p, "//"); i >= 0 {
			if j := strings.IndexByte(p[i+2:], '/'); j >= 0 {
				p = p[i+2+j:]
			} else {
				p = "/"
			}
		}
	}
	if strings.Contains(q, ".") {
		return true
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 && i > strings.LastIndexByte(p, '/') {
		ext := strings.ToLower(strings.TrimSpace(p[i+1:]))
		if docExts[ext] || imageExts[ext] {
			return true
		}
	}
	// (strings.ToLower copies nothing when href has no capitals)
	if containsAny(strings.ToLower(href), downloadHints...) {
		return true
	}
	if h := hostOf(href); h != "" {
		return storageHost(h)
	}
	return false
}

// hostOf is the host of an absolute or scheme-relative href, or "".
func hostOf(href string) string {
	i := strings.Index(href, "//")
	if i < 0 || i > 6 || i > 0 && href[i-1] != ':' {
		return ""
	}
	h := href[i+2:]
	if j := strings.IndexAny(h, "/?#"); j >= 0 {
		h = h[:j]
	}
	if j := strings.LastIndexByte(h, '@'); j >= 0 {
		h = h[j+1:]
	}
	if j := strings.LastIndexByte(h, ':'); j >= 0 {
		h = h[:j]
	}
	return strings.ToLower(h)
}

// storageHost reports whether h is one of the storageHosts or under one.
func storageHost(h string) bool {
	for _, s := range storageHosts {
		if h == s || strings.HasSuffix(h, "."+s) {
			return true
		}
	}
	return false
}

// storageHosts are the file storages schools keep documents on instead of
// their own site (a link there names a document, whatever its path).
var storageHosts = []string{"drive.google.com", "docs.google.com", "disk.yandex.ru", "disk.yandex.com", "disk.360.yandex.ru",
	"yadi.sk", "cloud.mail.ru", "dropbox.com", "onedrive.live.com", "1drv.ms"}

// inStorage reports whether u is on one of the storageHosts.
func inStorage(u *url.URL) bool {
	if p := strings.ToLower(u.Path); strings.Contains(p, "viewform") || strings.Contains(p, "/forms/") {
		return false // a questionnaire, not a stored file
	}
	return storageHost(strings.ToLower(u.Hostname()))
}

// elsewhere is the host a document's file is stored on when that is not
// the page's own site (the www. twin is the same site), or "".
func (x *extractor) elsewhere(u *url.URL) string {
	if x.base == nil {
		return ""
	}
	h := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if h == "" || h == strings.TrimPrefix(strings.ToLower(x.base.Hostname()), "www.") {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// documents records every link to a file on the page not already taken
// by microdata.
func (x *extractor) documents() {
	for _, n := range x.nodes().anchors {
		if !mayNameFile(attr(n, "href")) || x.isClaimed(n) {
			continue
		}
		raw := x.resolve(attr(n, "href"))
		if raw == "" || x.seenURL[raw] {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		ft := FileType(u)
		if !docExts[ft] && !imageExts[ft] && !inStorage(u) && (ft != "" || !containsAny(strings.ToLower(u.Path+"?"+u.RawQuery), downloadHints...)) {
			continue // a link to a page: only files are documents
		}
		r := x.documentOf(n, raw)
		if imageExts[ft] && r.Fields["kind"] == "" {
			continue // a picture that names no document kind
		}
		x.seenURL[raw] = true
		r.Method = "list"
		x.add(n, r)
	}
}

var (
	reFileInfo = regexp.MustCompile(`(?i)[(\[]\s*(?:pdf|docx?|xlsx?|rtf|odt|zip|rar|jpe?g|файл|скан|скан-копия)?[\s,;:]*(?:\d+[.,]?\d*\s*(?:кб|мб|kb|mb|байт|б)\.?)?\s*[)\]]`)
	reSize     = regexp.MustCompile(`(?i)\b\d+[.,]?\d*\s*(?:кб|мб|kb|mb)\b\.?`)
	genericRe  = regexp.MustCompile(`(?i)^(?:скачать|открыть|просмотреть|посмотреть|смотреть|просмотр|ссылка|подробнее|файл|документ|здесь|тут|pdf|docx?|xlsx?|rtf|zip|\.?pdf|скан|скан-копия|копия|электронная копия|перейти|читать|скачать файл|открыть файл|скачать документ|открыть документ|смотреть документ|скачать pdf|ссылка на документ|download|view|open)$`)
	// generic words around a title («Открыть: — Положение …»)
	reGenericEdge = regexp.MustCompile(`(?i)^(?:(?:скачать|открыть|смотреть|просмотр|просмотреть|посмотреть|ссылка|файл)(?:\s+(?:pdf|файл|документ))?\s*[:\-–—]*\s*)+|(?:\s*[:\-–—]*\s*(?:скачать|открыть|смотреть|просмотр|просмотреть|посмотреть)(?:\s+(?:pdf|файл|документ))?)+$`)
)

// dropGenericEdge removes reGenericEdge's words from the edges of a
// title. The pattern has no literal to look for and folds case at every
// place it tries, so it runs only on a title that holds one of its words
// (скачать, открыть, смотр-, ссылка, файл): in the folded title, or in
// any case of a title with a rune of U+1C80-U+1CBF, where the letter
// forms (?i) also reads as в, д, о, с, т are.
func dropGenericEdge(title string) string {
	if !strings.Contains(title, "\xe1\xb2") && !containsAny(fold(title), "скачать", "открыть", "смотр", "ссылка", "файл") {
		return title
	}
	return reGenericEdge.ReplaceAllString(title, "")
}

// dropFileNotes blanks the file notes (reFileInfo) and sizes (reSize) of
// a title; each pattern runs only on a title with what it starts with, a
// bracket or a digit.
func dropFileNotes(s string) string {
	if strings.ContainsAny(s, "([") {
		s = reFileInfo.ReplaceAllString(s, " ")
	}
	if strings.ContainsAny(s, "0123456789") {
		s = reSize.ReplaceAllString(s, " ")
	}
	return s
}

// documentOf builds the document record of anchor a linking to u.
func (x *extractor) documentOf(a *html.Node, u string) Record {
	title := cleanTitle(textOf(a))
	if title == "" || genericRe.MatchString(title) {
		if t := cleanTitle(attr(a, "title")); t != "" && !genericRe.MatchString(t) {
			title = t
		}
	}
	ctx := contextOf(a)
	if ctx != nil && (ctx.DataAtom == atom.Td || ctx.DataAtom == atom.Th) && ctx.Parent != nil && ctx.Parent.DataAtom == atom.Tr {
		// a cell with only the link and its size: the row describes it
		if letterCount(cleanTitle(strings.Replace(textOf(ctx), textOf(a), " ", 1))) < 4 {
			ctx = ctx.Parent
		}
	}
	ctxText := ""
	if ctx != nil {
		ctxText = textOf(ctx)
	}
	if title == "" || genericRe.MatchString(title) || looksFileName(title) {
		if t := contextTitle(ctx, a); t != "" {
			title = t
		}
	} else if ctx != nil && len([]rune(ctxText)) <= 300 {
		// «<a>лицензия</a> на осуществление образовательной
		// деятельности»: the words after the link continue its title in
		// a list item or a cell; in a paragraph only a name in quotes
		// does («<a>приказ</a> "Об утверждении графика"»), never the rest
		// of a sentence
		tail := cleanTitle(textAfter(ctx, a))
		switch ctx.DataAtom {
		case atom.Li, atom.Dd, atom.Dt, atom.Td, atom.Th:
		default:
			if !strings.HasPrefix(tail, "«") && !strings.HasPrefix(tail, "\"") && !strings.HasPrefix(tail, "“") {
				tail = ""
			}
		}
		if letterCount(tail) >= 2 {
			title = cleanTitle(title + " " + tail)
		}
	}
	title = strings.TrimSpace(dropGenericEdge(title))
	f := map[string]string{"url": u, "title": title}
	if pu, err := url.Parse(u); err == nil {
		if ft := FileType(pu); ft != "" {
			f["filetype"] = ft
		}
		if host := x.elsewhere(pu); host != "" {
			f[ElsewhereField] = host
		}
	}
	if d, _, _, ok := FindDate(title, ""); ok {
		f["date"] = d
	} else if d, _, _, ok := FindDate(ctxText, ""); ok {
		f["date"] = d
	}
	if k := DocumentKind(title); k != "" {
		f["kind"] = k
	} else if ctx != nil && len(strings.Fields(title)) <= 3 {
		// «Лицензия: <a>страница 1</a>»: the words around the links name
		// the document
		if k := DocumentKind(textOutsideLinks(ctx)); k != "" {
			f["kind"] = k
		}
	}
	return Record{Type: "document", Fields: f}
}

// contextTitle is the title a link's surroundings give a document whose
// link says only «Скачать» or its file name: in a table row the wordiest
// other cell; else the wordiest block beside the link, or the text around
// the links, looked for from the link's item up to three levels out (a
// card of «<div>Title</div><div><a>Смотреть</a> <a>Скачать PDF</a></div>»).
func contextTitle(ctx, a *html.Node) string {
	if ctx == nil {
		return ""
	}
	if ctx.DataAtom == atom.Tr {
		title, _ := wordiestChild(ctx, a, func(c *html.Node) bool { return c.Type == html.ElementNode })
		return title
	}
	for level, n := 0, ctx; n != nil && level < 3; level, n = level+1, n.Parent {
		switch n.DataAtom {
		case atom.Body, atom.Html, atom.Table, atom.Ul, atom.Ol:
			return ""
		}
		if len([]rune(textOf(n))) > 400 {
			return ""
		}
		if t := wordiestBlock(n, a); t != "" && !genericRe.MatchString(t) {
			return t
		}
		if t := strings.TrimSpace(dropGenericEdge(cleanTitle(textOutsideLinks(n)))); letterCount(t) >= 4 && !genericRe.MatchString(t) {
			return cleanTitle(t)
		}
	}
	return ""
}

// textAfter is the text that follows a inside ctx up to the next link or
// the end of a's line (a block or a line break).
func textAfter(ctx, a *html.Node) string {
	var b strings.Builder
	started, stop := false, false
	var rec func(n *html.Node)
	rec = func(n *html.Node) {
		if stop {
			return
		}
		if n == a {
			started = true
			return
		}
		if started {
			switch {
			case n.Type == html.ElementNode && (n.DataAtom == atom.A || n.DataAtom == atom.Br || isBlock(n)):
				stop = true
				return
			case n.Type == html.TextNode:
				b.WriteString(n.Data)
			}
		}
		if skipped(n) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(ctx)
	return collapse(b.String())
}

// contextOf is the row, item or paragraph that holds a link and describes it.
func contextOf(a *html.Node) *html.Node {
	for p := a.Parent; p != nil; p = p.Parent {
		switch p.DataAtom {
		case atom.Li, atom.Tr, atom.P, atom.Dd, atom.Dt:
			return p
		case atom.Td, atom.Div:
			if len([]rune(textOf(p))) < 400 {
				return p
			}
			return nil
		case atom.Body, atom.Table, atom.Ul, atom.Ol:
			return nil
		}
	}
	return nil
}

func looksFileName(s string) bool {
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(s)), ".")
	return (docExts[ext] || imageExts[ext]) && !strings.Contains(s, " ")
}

// cleanTitle drops file-size notes, «скачать» and separators from a title.
func cleanTitle(s string) string {
	s = collapse(dropFileNotes(collapse(s)))
	for _, w := range []string{"скачать", "Скачать", "(скачать)", "[скачать]"} {
		s = strings.TrimSuffix(strings.TrimSpace(s), w)
	}
	s = strings.Trim(collapse(s), " -–—:;,|•")
	// a bracket the title's text does not close or open
	for strings.HasSuffix(s, ")") && strings.Count(s, ")") > strings.Count(s, "(") {
		s = strings.Trim(strings.TrimSuffix(s, ")"), " -–—:;,|•")
	}
	for strings.HasPrefix(s, "(") && strings.Count(s, "(") > strings.Count(s, ")") {
		s = strings.Trim(strings.TrimPrefix(s, "("), " -–—:;,|•")
	}
	return s
}

// kindRules classify a document by words of its title, most specific
// first. The kind is the official itemprop of such a document where one
// exists.
var kindRules = []struct {
	kind  string
	words []string
}{
	{"prescriptionDocLink", []string{"предписани"}},
	{"reportEduDocLink", []string{"самообследовани"}},
	{"finPlanDocLink", []string{"финансово-хозяйственной", "финансово- хозяйственной", "пфхд", "план фхд", "бюджетная смета", "бюджетной сметы"}},
	{"localActStud", []string{"распорядка обучающихся", "распорядка учащихся", "распорядка воспитанников", "распорядка для обучающихся", "распорядка для учащихся"}},
	{"localActOrder", []string{"трудового распорядка"}},
	{"localActCollec", []string{"коллективный договор", "коллективного договора", "коллективному договору"}},
	{"priemDocLink", []string{"правила приема", "порядок приема", "порядке приема", "правилах приема", "о приеме", "приема на обучение", "приема граждан", "приема детей", "приема обучающихся"}},
	{"modeDocLink", []string{"режим занятий", "режиме занятий", "режима занятий"}},
	{"tekKontrolDocLink", []string{"текущего контроля", "текущем контроле", "промежуточной аттестации", "промежуточная аттестация"}},
	{"vozDocLink", []string{"возникновени", "приостановлени"}},
	{"perevodDocLink", []string{"перевода", "отчислени", "восстановлени"}},
	{"educationShedule", []string{"календарный учебный график", "календарного учебного графика", "годовой календарный график"}},
	{"educationPlan", []string{"учебный план", "учебного плана"}},
	{"methodology", []string{"программа воспитания", "программы воспитания", "план воспитательной работы"}},
	{"paidDog", []string{"образец договора", "договор об оказании платных", "договора об оказании платных", "договор на оказание платных"}},
	{"paidEdu", []string{"платных образовательных услуг"}},
	{"accreditationDocLink", []string{"аккредитаци"}},
	{"licenseDocLink", []string{"лицензи", "реестра лицензий"}},
	{"ustavDocLink", []string{"устав"}},
	{"priceList", []string{"прейскурант", "перечень платных медицинских услуг", "цены на платные", "стоимость платных"}},
	{"municipalTask", []string{"муниципальное задание", "муниципального задания", "государственное задание", "государственного задания"}},
	{"publicReport", []string{"публичный доклад"}},
	{"antiCorruption", []string{"коррупци", "антикоррупц"}},
	{"menu", []string{"меню"}},
	{"municipalAct", []string{"постановлени", "распоряжени", "решение думы", "решение совета", "решение собрания"}},
	{"order", []string{"приказ"}},
	{"regulation", []string{"положени"}},
	{"plan", []string{"план "}},
	{"report", []string{"отчет", "доклад"}},
}

// DocumentKind classifies a document by its title: the official itemprop
// of that document where one exists (ustavDocLink, licenseDocLink,
// accreditationDocLink, reportEduDocLink, finPlanDocLink,
// prescriptionDocLink, priemDocLink, localActStud, ...), else one of
// priceList, municipalTask, publicReport, antiCorruption, menu,
// municipalAct, order, regulation, plan, report; "" when unknown.
func DocumentKind(title string) string {
	t := " " + fold(title) + " "
	for _, r := range kindRules {
		for _, w := range r.words {
			if r.kind == "ustavDocLink" {
				// «устав» must be the word: not «установлен», «уставной»
				if strings.Contains(t, "устав") && reUstav.MatchString(t) { // each of its words has it
					return r.kind
				}
				continue
			}
			if atWordStart(t, w) {
				return r.kind
			}
		}
	}
	return ""
}

var reUstav = regexp.MustCompile(`(?:^|[^\pL])(?:устав|устава|уставе|изменения в устав)(?:[^\pL]|$)`)

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// wordiestBlock is the text of the block child of ctx with the most
// letters, leaving out the one holding the link and those that are only a
// date; "" when ctx has no such child.
func wordiestBlock(ctx, a *html.Node) string {
	title, letters := wordiestChild(ctx, a, func(c *html.Node) bool { return isBlock(c) && c.DataAtom != atom.Br })
	if letters < 4 {
		return ""
	}
	return title
}

// wordiestChild is the cleaned text of the child of ctx that keep admits
// with the most letters, and how many, leaving out the child holding the
// link and those that are only a date.
func wordiestChild(ctx, a *html.Node, keep func(*html.Node) bool) (string, int) {
	best, title := 0, ""
	for c := ctx.FirstChild; c != nil; c = c.NextSibling {
		if !keep(c) || isAncestor(c, a) {
			continue
		}
		t := cleanTitle(textOf(c))
		if _, onlyDate := ParseDate(t, ""); onlyDate {
			continue
		}
		if n := letterCount(t); n > best {
			best, title = n, t
		}
	}
	return title, best
}

// atWordStart reports whether w occurs in t at the start of a word.
func atWordStart(t, w string) bool {
	for i := 0; ; {
		j := strings.Index(t[i:], w)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(t[:at])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		i = at + len(w)
	}
}

// textOutsideLinks is the text of n without the text of its links.
func textOutsideLinks(n *html.Node) string {
	var b strings.Builder
	var rec func(c *html.Node)
	rec = func(c *html.Node) {
		if c.Type == html.ElementNode && (c.DataAtom == atom.A || skipped(c)) {
			return
		}
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			rec(k)
		}
	}
	rec(n)
	return collapse(b.String())
}

// ElsewhereField is the field of a document record whose file is stored
// on another host (a cloud drive, a regional portal): the host. The
// migration cannot carry such a file as bytes; the admin downloads it and
// attaches it («скачайте и приложите файл»).
const ElsewhereField = "elsewhere"
