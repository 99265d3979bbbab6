package gui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// settingsDialog is the Settings dialog, opened from the Download tab: the
// network settings (proxy, HTTPS, what requests carry), links from the
// browser (settings_links.go) and the window's theme and tray. Its widgets
// are fields so that tests can fill and tap them.
type settingsDialog struct {
	Proxy         *widget.RadioGroup // proxyChoices
	ProxyURL      *widget.Entry
	ProxyPassword *widget.Entry
	NoProxy       *widget.Entry
	CACertFile    *widget.Entry
	ChooseCACert  *widget.Button
	Insecure      *widget.Check
	UserAgent     *widget.Entry
	Referer       *widget.Entry
	Headers       *widget.Entry
	CookieFile    *widget.Entry
	ChooseCookies *widget.Button
	UseNetrc      *widget.Check
	Theme         *widget.RadioGroup // themeChoices
	Language      *widget.RadioGroup // languageChoices
	Problem       *widget.Label      // what keeps Apply disabled, in words
	Apply, Cancel *widget.Button
	linkFields

	dialog *dialog.CustomDialog
	tab    *downloadTab
}

// A choice of a radio group: the key kept in the preferences and the words
// shown. The key is found by the position of the words, so the words can be
// translated.
type choice struct{ key, label string }

// The choices are made when the dialog is: the window's language is set up
// after package init.
func proxyChoices() []choice {
	return []choice{{proxySystem, tr("System")}, {proxyNone, tr("None")}, {proxyManual, tr("Manual")}}
}

func themeChoices() []choice {
	return []choice{{themeSystem, tr("System")}, {themeLight, tr("Light")}, {themeDark, tr("Dark")}}
}

// languageChoices name each language in itself, as language menus do.
func languageChoices() []choice {
	return []choice{{langSystem, tr("System")}, {langEnglish, "English"}, {langRussian, "Русский"}}
}

func choiceLabels(cs []choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.label
	}
	return out
}

func choiceKey(cs []choice, label string) string {
	i := slices.IndexFunc(cs, func(c choice) bool { return c.label == label })
	if i < 0 {
		return cs[0].key
	}
	return cs[i].key
}

func choiceLabel(cs []choice, key string) string {
	i := slices.IndexFunc(cs, func(c choice) bool { return c.key == key })
	if i < 0 {
		return cs[0].label
	}
	return cs[i].label
}

// openSettings shows the Settings dialog filled with the settings in force.
func (t *downloadTab) openSettings() {
	s := newSettingsDialog(t)
	t.settings = s
	s.dialog.Show()
}

func newSettingsDialog(t *downloadTab) *settingsDialog {
	s := &settingsDialog{tab: t}
	n := t.net
	s.ProxyURL = widget.NewEntry()
	s.ProxyURL.SetPlaceHolder(tr("http://host:3128 or socks5://host:1080"))
	s.ProxyPassword = widget.NewPasswordEntry()
	s.ProxyPassword.SetPlaceHolder(tr("if the proxy wants a login"))
	u, pw := splitProxyPassword(n.ProxyURL)
	s.ProxyURL.SetText(u)
	s.ProxyPassword.SetText(pw)
	s.NoProxy = widget.NewEntry()
	s.NoProxy.SetPlaceHolder(tr("localhost, .example.com"))
	s.NoProxy.SetText(n.NoProxy)
	s.Proxy = widget.NewRadioGroup(choiceLabels(proxyChoices()), func(string) { s.changed() })
	s.Proxy.Horizontal = true
	s.Proxy.Required = true
	s.Proxy.SetSelected(choiceLabel(proxyChoices(), n.ProxyMode))

	s.CACertFile = widget.NewEntry()
	s.CACertFile.SetPlaceHolder(tr("the system's certificates only"))
	s.CACertFile.SetText(n.CACertFile)
	s.ChooseCACert = widget.NewButton(tr("Choose…"), func() { s.chooseFile(s.CACertFile, []string{".pem", ".crt", ".cer"}) })
	s.Insecure = widget.NewCheck(tr("Don't check certificates (insecure)"), nil)
	s.Insecure.SetChecked(n.Insecure)

	s.UserAgent = widget.NewEntry()
	s.UserAgent.SetPlaceHolder("potok")
	s.UserAgent.SetText(n.UserAgent)
	s.Referer = widget.NewEntry()
	s.Referer.SetPlaceHolder(tr("none"))
	s.Referer.SetText(n.Referer)
	s.Headers = widget.NewMultiLineEntry()
	s.Headers.SetPlaceHolder(tr("Name: value, one header a line"))
	s.Headers.SetMinRowsVisible(3)
	s.Headers.SetText(n.Headers)
	s.CookieFile = widget.NewEntry()
	s.CookieFile.SetPlaceHolder(tr("none (a Netscape cookies.txt)"))
	s.CookieFile.SetText(n.CookieFile)
	s.ChooseCookies = widget.NewButton(tr("Choose…"), func() { s.chooseFile(s.CookieFile, []string{".txt"}) })
	s.UseNetrc = widget.NewCheck(tr("Log in with ~/.netrc (when it exists)"), nil)
	s.UseNetrc.SetChecked(n.UseNetrc)

	s.Theme = widget.NewRadioGroup(choiceLabels(themeChoices()), nil)
	s.Theme.Horizontal = true
	s.Theme.Required = true
	s.Theme.SetSelected(choiceLabel(themeChoices(), themeChoice(t.app)))
	s.Language = widget.NewRadioGroup(choiceLabels(languageChoices()), nil)
	s.Language.Horizontal = true
	s.Language.Required = true
	s.Language.SetSelected(choiceLabel(languageChoices(), languageChoice(t.app)))
	s.newLinkFields()

	s.ProxyURL.Validator = func(string) error { return s.proxyProblem() }
	s.Headers.Validator = func(text string) error {
		if _, err := parseHeaders(text); err != nil {
			return fmt.Errorf("%s, %w", tr("extra headers"), err)
		}
		return nil
	}
	for _, e := range []*widget.Entry{s.ProxyURL, s.ProxyPassword, s.Headers} {
		e.OnChanged = func(string) { s.changed() }
	}

	s.Problem = widget.NewLabel("")
	s.Problem.Importance = widget.DangerImportance
	s.Problem.Wrapping = fyne.TextWrapWord
	s.Problem.Hide()
	s.Cancel = widget.NewButtonWithIcon(tr("Cancel"), theme.CancelIcon(), func() { s.dialog.Hide() })
	s.Apply = widget.NewButtonWithIcon(tr("Apply"), theme.ConfirmIcon(), s.apply)
	s.Apply.Importance = widget.HighImportance

	s.dialog = dialog.NewCustomWithoutButtons(tr("Settings"), s.layout(), t.win)
	s.dialog.SetButtons([]fyne.CanvasObject{s.Cancel, s.Apply})
	s.dialog.Resize(fyne.NewSize(720, 560))
	s.changed()
	return s
}

func (s *settingsDialog) layout() fyne.CanvasObject {
	withButton := func(e *widget.Entry, b *widget.Button) fyne.CanvasObject {
		return container.NewBorder(nil, nil, nil, b, e)
	}
	item := formItem
	network := widget.NewForm(
		item(tr("Proxy"), s.Proxy, tr("System: the environment's HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY.")),
		item(tr("Proxy URL"), s.ProxyURL, tr("user:password@ may be part of the URL, or the password may go in the field below.")),
		item(tr("Proxy password"), s.ProxyPassword, ""),
		item(tr("No proxy for"), s.NoProxy, tr("Hosts and .domains reached directly, as NO_PROXY lists them.")),
		item(tr("CA certificate"), withButton(s.CACertFile, s.ChooseCACert), tr("A PEM file of certificates trusted besides the system's.")),
		item("", s.Insecure, ""),
	)
	requests := widget.NewForm(
		item(tr("User-Agent"), s.UserAgent, ""),
		item(tr("Referer"), s.Referer, ""),
		item(tr("Extra headers"), s.Headers, tr("An Authorization or Cookie header goes only to the download's own server.")),
		item(tr("Cookies file"), withButton(s.CookieFile, s.ChooseCookies), tr("A cookies.txt as browsers export it, or as curl -c, wget and aria2 write it.")),
		item("", s.UseNetrc, ""),
	)
	remembered := widget.NewLabel(tr("Potok also remembers the window's size, the tab last shown and where the dividers are. Where the window opens is left to the desktop: Fyne tells no window's position."))
	remembered.Wrapping = fyne.TextWrapWord
	window := container.NewVBox(widget.NewForm(widget.NewFormItem(tr("Theme"), s.Theme),
		item(tr("Language"), s.Language, tr("Takes effect when Potok next starts. System follows the desktop's language.")),
		item("", s.KeepInTray, tr("Quit from the tray icon's menu. Without a tray icon on your desktop, run potok again to bring the window back."))), remembered)
	tabs := container.NewAppTabs(
		container.NewTabItem(tr("Proxy and HTTPS"), container.NewVScroll(network)),
		container.NewTabItem(tr("Requests"), container.NewVScroll(requests)),
		container.NewTabItem(tr("Links from the browser"), s.linksPart()),
		container.NewTabItem(tr("Window"), window),
	)
	help := widget.NewLabel(tr("These settings are kept in Potok's preferences file in your user folder, together with any proxy password, any Authorization header and the RPC secret. Changes to the proxy, HTTPS and requests apply to the running downloads: they pause and continue with the new settings."))
	help.Wrapping = fyne.TextWrapWord
	help.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(nil, container.NewVBox(s.Problem, help), nil, nil, tabs)
}

// formItem is a form row with the line of help under it ("" for none).
func formItem(label string, o fyne.CanvasObject, hint string) *widget.FormItem {
	it := widget.NewFormItem(label, o)
	it.HintText = hint
	return it
}

// proxyProblem is what is wrong with a manual proxy, or nil.
func (s *settingsDialog) proxyProblem() error {
	if choiceKey(proxyChoices(), s.Proxy.Selected) != proxyManual {
		return nil
	}
	return checkProxyURL(joinProxyPassword(s.ProxyURL.Text, s.ProxyPassword.Text))
}

// values are the settings as the dialog shows them, or what is wrong.
func (s *settingsDialog) values() (netSettings, error) {
	n := netSettings{
		ProxyMode:  choiceKey(proxyChoices(), s.Proxy.Selected),
		ProxyURL:   joinProxyPassword(s.ProxyURL.Text, s.ProxyPassword.Text),
		NoProxy:    s.NoProxy.Text,
		CACertFile: s.CACertFile.Text,
		Insecure:   s.Insecure.Checked,
		UserAgent:  s.UserAgent.Text,
		Referer:    s.Referer.Text,
		Headers:    s.Headers.Text,
		CookieFile: s.CookieFile.Text,
		UseNetrc:   s.UseNetrc.Checked,
	}
	if err := s.proxyProblem(); err != nil {
		return n, err
	}
	if err := s.Headers.Validator(s.Headers.Text); err != nil {
		return n, err
	}
	return n, nil
}

// changed follows the fields: the manual proxy's fields are enabled with
// it, and Apply only while everything can be used; the problem is said.
func (s *settingsDialog) changed() {
	if s.Apply == nil {
		return // still being built
	}
	manual := choiceKey(proxyChoices(), s.Proxy.Selected) == proxyManual
	for _, e := range []*widget.Entry{s.ProxyURL, s.ProxyPassword, s.NoProxy} {
		if manual {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	if s.RPCOn.Checked {
		s.RPCPort.Enable()
	} else {
		s.RPCPort.Disable()
	}
	_, err := s.values()
	if err == nil {
		_, err = s.rpcValues()
	}
	if err != nil {
		s.Problem.SetText(err.Error())
		s.Problem.Show()
		s.Apply.Disable()
		return
	}
	s.Problem.Hide()
	s.Apply.Enable()
}

func (s *settingsDialog) chooseFile(into *widget.Entry, exts []string) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, s.tab.win)
			return
		}
		if r == nil {
			return
		}
		into.SetText(r.URI().Path())
		r.Close()
	}, s.tab.win)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.Show()
}

// apply applies the theme at once, and the network settings when they
// changed: while downloads run it asks first, as they pause and continue.
// On an error the dialog stays open with what was typed.
func (s *settingsDialog) apply() {
	n, err := s.values()
	if err != nil {
		return // Apply is disabled meanwhile
	}
	t := s.tab
	applyTheme(t.app, choiceKey(themeChoices(), s.Theme.Selected))
	t.app.Preferences().SetString(prefLanguage, choiceKey(languageChoices(), s.Language.Selected))
	s.applyLinks()
	if n == t.net {
		s.dialog.Hide()
		return
	}
	if !t.busy() {
		s.applyNetwork(n)
		return
	}
	c := dialog.NewConfirm(tr("Apply now?"), tr("Running downloads pause and continue with the new settings."), func(ok bool) {
		if ok {
			s.applyNetwork(n)
		}
	}, t.win)
	c.SetConfirmText(tr("Apply now"))
	c.SetDismissText(tr("Not now"))
	c.Show()
}

func (s *settingsDialog) applyNetwork(n netSettings) {
	if err := s.tab.applyNetwork(n); err != nil {
		dialog.ShowError(err, s.tab.win)
		return
	}
	s.dialog.Hide()
}
