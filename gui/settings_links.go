package gui

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"potok/downloader/rpc"
)

// The Settings dialog's Links from the browser part: the aria2 RPC (on or
// off, its port, its secret with Copy and New secret, what it does now),
// clipboard watching; and, in the Window part, close to the tray. They
// apply on Apply, before and apart from the network settings.

// linkFields are the dialog's widgets of these settings.
type linkFields struct {
	RPCOn          *widget.Check
	RPCPort        *widget.Entry
	RPCSecret      *widget.Label // the secret Apply keeps
	CopySecret     *widget.Button
	NewSecret      *widget.Button
	RPCStatus      *widget.Label
	WatchClipboard *widget.Check
	KeepInTray     *widget.Check
	secret         string // the secret shown
}

func (s *settingsDialog) newLinkFields() {
	t := s.tab
	c := t.rpc.config
	p := t.app.Preferences()
	s.RPCOn = widget.NewCheck(tr("Answer aria2's JSON-RPC, for browser extensions made for aria2"), func(bool) { s.changed() })
	s.RPCOn.SetChecked(c.On)
	s.RPCPort = widget.NewEntry()
	s.RPCPort.SetPlaceHolder(strconv.Itoa(defaultRPCPort))
	s.RPCPort.SetText(strconv.Itoa(c.Port))
	s.RPCPort.Validator = func(string) error { _, err := s.rpcPort(); return err }
	s.RPCPort.OnChanged = func(string) { s.changed() }
	s.RPCSecret = widget.NewLabel("")
	s.RPCSecret.TextStyle = fyne.TextStyle{Monospace: true}
	s.RPCSecret.Selectable = true
	s.setSecret(c.Secret)
	s.CopySecret = widget.NewButtonWithIcon(tr("Copy"), theme.ContentCopyIcon(), func() {
		t.app.Clipboard().SetContent(s.secret)
	})
	s.NewSecret = widget.NewButtonWithIcon(tr("New secret"), theme.ViewRefreshIcon(), func() {
		sec, err := rpc.NewSecret()
		if err != nil {
			dialog.ShowError(err, t.win)
			return
		}
		s.setSecret(sec)
	})
	s.RPCStatus = widget.NewLabel("")
	s.RPCStatus.Wrapping = fyne.TextWrapWord
	s.showRPCStatus()
	s.WatchClipboard = widget.NewCheck(tr("Offer to add links copied to the clipboard"), nil)
	s.WatchClipboard.SetChecked(p.Bool(prefWatchClipboard))
	s.KeepInTray = widget.NewCheck(tr("Keep downloading in the tray when the window closes"), nil)
	s.KeepInTray.SetChecked(p.Bool(prefKeepInTray))
}

func (s *settingsDialog) setSecret(sec string) {
	s.secret = sec
	s.RPCSecret.SetText(sec)
}

// linksPart is the Links from the browser tab.
func (s *settingsDialog) linksPart() fyne.CanvasObject {
	secret := container.NewBorder(nil, nil, nil, container.NewHBox(s.CopySecret, s.NewSecret), s.RPCSecret)
	f := widget.NewForm(
		formItem("", s.RPCOn, ""),
		formItem(tr("Port"), s.RPCPort, tr("aria2's port is 6800. Potok answers on 127.0.0.1 only: programs on this computer.")),
		formItem(tr("Secret"), secret, tr("Give it to the extension as its RPC secret (or token). A new secret takes effect on Apply.")),
		formItem(tr("Now"), s.RPCStatus, ""),
		formItem("", s.WatchClipboard, tr("A copied http(s) link, or a list of them, is offered in the window; nothing is added until you press Add.")),
	)
	how := widget.NewLabel(tr("In the extension (Aria2 Explorer, AriaNg…), set the RPC address to http://127.0.0.1:%d/jsonrpc (host 127.0.0.1, the port above, path /jsonrpc, HTTP or WebSocket) and the secret. Links it sends are downloaded here like the window's own.", s.tab.rpc.config.Port))
	how.Wrapping = fyne.TextWrapWord
	how.SizeName = theme.SizeNameCaptionText
	return container.NewVScroll(container.NewVBox(f, how))
}

// rpcPort is the port the field holds, or what is wrong with it.
func (s *settingsDialog) rpcPort() (int, error) {
	v := strings.TrimSpace(s.RPCPort.Text)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return 0, errors.New(tr("port: %q is not a port from 1 to 65535", v))
	}
	return n, nil
}

// rpcValues are the RPC settings as the dialog shows them.
func (s *settingsDialog) rpcValues() (rpcConfig, error) {
	port, err := s.rpcPort()
	if err != nil && !s.RPCOn.Checked {
		port, err = s.tab.rpc.config.Port, nil // the port of a server that is off does not matter
	}
	return rpcConfig{On: s.RPCOn.Checked, Port: port, Secret: s.secret}, err
}

// applyLinks applies these settings: the RPC server restarts if its
// settings changed (or retries, if it could not start).
func (s *settingsDialog) applyLinks() {
	t := s.tab
	c, err := s.rpcValues()
	if err != nil {
		return // Apply is disabled meanwhile
	}
	p := t.app.Preferences()
	t.rpc.apply(c, p)
	p.SetBool(prefWatchClipboard, s.WatchClipboard.Checked)
	p.SetBool(prefKeepInTray, s.KeepInTray.Checked)
	s.showRPCStatus()
}

// showRPCStatus says what the server does now.
func (s *settingsDialog) showRPCStatus() {
	t := s.tab
	text, _ := rpcStatusText(t.rpc.config, t.rpc.status)
	setText(s.RPCStatus, text)
}
