/**
 * The widget's script, served as `/embed.js` (kept here as text so it ships with the module and is
 * checked by the tests; it is plain ES5 for old browsers on clinics' sites).
 */
export const EMBED_SCRIPT = String.raw`/*
 * Soglasie widget. A clinic pastes, on a page of a site it declared:
 *   <div id="soglasie-callback"></div>
 *   <script src="https://<soglasie>/embed.js" data-soglasie-form="callback" async></script>
 * and the form appears there in a frame served by Soglasie, so the consent texts and their links
 * stay first-party and the patient's data goes straight to Soglasie, never through the host page.
 * Soglasie allows the framing only on the operator's declared sites (CSP frame-ancestors).
 * Optional: data-soglasie-target="<element id>", data-soglasie-title="<frame title>",
 * data-soglasie-lang="en" (the form and its consent documents in English).
 */
(function () {
  'use strict';
  var FORMS = /^(callback|feedback|review|appointment|estimate)$/;

  function mount(script) {
    if (script.getAttribute('data-soglasie-mounted')) return;
    script.setAttribute('data-soglasie-mounted', '1');
    var form = script.getAttribute('data-soglasie-form') || '';
    if (!FORMS.test(form)) return;
    var base = new URL(script.src, document.baseURI);
    var src = new URL('/embed/forms/' + form, base.origin);
    // Only the host: the framed page's query is strict (an unknown parameter is a 400), and the
    // host page's path is not needed (the inquiry records the framed form's own path).
    src.searchParams.set('site', window.location.host);
    var english = script.getAttribute('data-soglasie-lang') === 'en';
    if (english) src.searchParams.set('lang', 'en');
    var frame = document.createElement('iframe');
    frame.src = src.href;
    frame.title = script.getAttribute('data-soglasie-title') || (english ? 'Inquiry form' : 'Форма обращения');
    frame.setAttribute('data-soglasie-frame', form);
    frame.style.width = '100%';
    frame.style.minHeight = '640px';
    frame.style.border = '0';
    var target = document.getElementById(script.getAttribute('data-soglasie-target') || 'soglasie-' + form);
    if (target) target.appendChild(frame);
    else script.parentNode.insertBefore(frame, script.nextSibling);
    // The framed page may report its height so the frame fits it without a scroll bar.
    window.addEventListener('message', function (e) {
      if (e.origin !== base.origin || e.source !== frame.contentWindow) return;
      var d = e.data;
      if (
        d &&
        d.type === 'soglasie:height' &&
        typeof d.height === 'number' &&
        d.height > 0 &&
        d.height < 20000
      ) {
        frame.style.height = Math.ceil(d.height) + 'px';
      }
    });
  }

  var scripts = document.querySelectorAll('script[data-soglasie-form]');
  for (var i = 0; i < scripts.length; i++) mount(scripts[i]);
})();
`;

/**
 * The framed form page's own script, served as `/embed/frame.js`: it tells the host page its height
 * (on load and whenever it changes, e.g. when field errors appear), so the widget's frame fits the
 * form without a scroll bar. Only a number leaves the frame; the host page's script accepts it from
 * the frame it made, on Soglasie's origin, only.
 */
export const EMBED_FRAME_SCRIPT = String.raw`(function () {
  'use strict';
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'soglasie:height', height: height }, '*');
  }
  if (typeof ResizeObserver === 'function') new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener('load', report);
  window.addEventListener('resize', report);
  report();
})();
`;
