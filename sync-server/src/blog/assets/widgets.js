// Pint blog widgets: small progressive enhancements a blog's owner turns on. Without
// JavaScript the blog reads the same (the music player is a plain <audio> element).
// Loaded in <head> so a reader's chosen theme and font apply before the first paint;
// the controls are built into #pint-widgets (its row's height is reserved by the style
// sheet, so nothing moves) once the page is parsed. A reader's choices
// stay in this browser only (localStorage), never sent anywhere.
(function () {
  "use strict";
  var root = document.documentElement;
  var store = {
    get: function (k) {
      try { return window.localStorage.getItem(k); } catch (e) { return null; }
    },
    set: function (k, v) {
      try { window.localStorage.setItem(k, v); } catch (e) { /* private mode: for this page only */ }
    },
  };
  var FONTS = {
    sans: "system-ui,-apple-system,'Segoe UI',sans-serif",
    serif: "Charter,'Iowan Old Style',Georgia,'Times New Roman',serif",
    mono: "ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace",
  };
  var SIZES = [0.9375, 1.0625, 1.1875, 1.3125];

  function applyTheme(t) {
    if (t === "light" || t === "dark") root.setAttribute("data-theme", t);
    else root.removeAttribute("data-theme");
  }
  function applyFont(f, s) {
    if (FONTS[f]) root.style.setProperty("--font", FONTS[f]);
    var size = SIZES[s];
    if (size) root.style.setProperty("--size", size + "rem");
  }
  applyTheme(store.get("pint-theme"));
  function savedSize() {
    var s = store.get("pint-size");
    return s === null ? NaN : Number(s);
  }
  applyFont(store.get("pint-font"), savedSize());

  function button(label, text) {
    var b = document.createElement("button");
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    b.textContent = text;
    return b;
  }

  function build() {
    var box = document.getElementById("pint-widgets");
    if (!box) return;
    var want = (box.getAttribute("data-widgets") || "").split(" ");
    if (want.indexOf("theme") >= 0) {
      var order = ["auto", "light", "dark"];
      var names = { auto: "Theme: auto", light: "Theme: light", dark: "Theme: dark" };
      var theme = button(null, "");
      var show = function () {
        var t = store.get("pint-theme") || "auto";
        if (order.indexOf(t) < 0) t = "auto";
        theme.textContent = names[t];
        theme.setAttribute("data-value", t);
      };
      theme.className = "theme-switcher";
      theme.addEventListener("click", function () {
        var now = theme.getAttribute("data-value") || "auto";
        var next = order[(order.indexOf(now) + 1) % order.length];
        store.set("pint-theme", next);
        applyTheme(next);
        show();
      });
      show();
      box.appendChild(theme);
    }
    if (want.indexOf("font") >= 0) {
      var label = document.createElement("label");
      label.textContent = "Font ";
      var select = document.createElement("select");
      select.className = "font-customizer";
      ["sans", "serif", "mono"].forEach(function (f) {
        var o = document.createElement("option");
        o.value = f;
        o.textContent = f === "sans" ? "Sans" : f === "serif" ? "Serif" : "Mono";
        select.appendChild(o);
      });
      select.value = FONTS[store.get("pint-font")] ? store.get("pint-font") : "sans";
      select.addEventListener("change", function () {
        store.set("pint-font", select.value);
        applyFont(select.value, NaN);
      });
      label.appendChild(select);
      box.appendChild(label);
      var size = function (delta, text, name) {
        var b = button(name, text);
        b.className = "font-size";
        b.addEventListener("click", function () {
          var now = savedSize();
          if (!(now >= 0 && now < SIZES.length)) now = 1;
          var next = Math.max(0, Math.min(SIZES.length - 1, now + delta));
          store.set("pint-size", String(next));
          applyFont(null, next);
        });
        box.appendChild(b);
      };
      size(-1, "A−", "A− smaller text");
      size(1, "A+", "A+ larger text");
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();
