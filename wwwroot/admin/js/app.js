// The shell: theme, sign-in/out, the hash router and the three sections.

import { api, ApiError, setToken, token, setUnauthorizedHandler, setScopes, can } from './api.js';
import { notice, showError } from './ui.js';
import { endpointsView } from './endpoints.js';

const $ = (id) => document.getElementById(id);
const THEME_KEY = 'edge.admin.theme';
const state = { who: null, cleanup: null };

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') {
    document.documentElement.dataset.theme = theme;
  } else {
    delete document.documentElement.dataset.theme;
  }
}

function currentTheme() {
  return document.documentElement.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

applyTheme(localStorage.getItem(THEME_KEY));
$('theme').addEventListener('click', () => {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  localStorage.setItem(THEME_KEY, next);
  applyTheme(next);
});

function showSignIn(message) {
  state.who = null;
  state.cleanup?.();
  state.cleanup = null;
  $('view').hidden = true;
  $('view').replaceChildren();
  $('nav').hidden = true;
  $('signout').hidden = true;
  $('who').textContent = '';
  $('signin').hidden = false;
  notice($('signin-msg'), message ? 'error' : '', message || '');
  $('token').focus();
}

function whoami(candidate) {
  return api('/whoami', { tokenOverride: candidate });
}

async function signedIn(who) {
  state.who = who;
  setScopes(who.scopes);
  document.querySelector('#nav a[data-section="services"]').hidden = !can('services');
  $('signin').hidden = true;
  $('view').hidden = false;
  $('nav').hidden = false;
  $('signout').hidden = false;
  $('who').textContent = who.kind === 'admin_key' ? `${who.name} (admin key)` : who.name;
  $('who').title = 'scopes: ' + (who.scopes || []).join(', ');
  await route();
}

function tokenMessage(err) {
  if (err.status === 401) {
    return /expired/i.test(err.message)
      ? 'This admin key has expired: ask for a new one, or sign in with the root token.'
      : 'Wrong token: the admin server did not accept it (' + err.message + ').';
  }
  return err.message;
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const value = $('token').value.trim();
  if (!value) {
    notice($('signin-msg'), 'error', 'Enter the admin token.');
    return;
  }
  notice($('signin-msg'), 'info', 'Checking…');
  try {
    const who = await whoami(value);
    setToken(value);
    $('token').value = '';
    notice($('signin-msg'), '', '');
    signedIn(who);
  } catch (err) {
    notice($('signin-msg'), 'error', tokenMessage(err));
    $('token').select();
  }
});

$('signout').addEventListener('click', () => {
  setToken(null);
  location.hash = '';
  showSignIn('');
  notice($('signin-msg'), 'info', 'Signed out.');
});

setUnauthorizedHandler((err) => {
  setToken(null);
  showSignIn(tokenMessage(err) + ' Sign in again.');
});

const sections = {
  endpoints: endpointsView,
  services: async (...a) => (await import('./services.js')).servicesView(...a),
  import: async (...a) => (await import('./importer.js')).importView(...a),
};

let routeSeq = 0;

async function route() {
  if (!state.who) {
    return;
  }
  const parts = (location.hash.replace(/^#\/?/, '') || 'endpoints').split('/').map(decodeURIComponent);
  const section = sections[parts[0]] ? parts[0] : 'endpoints';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.section === section) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  const seq = ++routeSeq;
  const view = $('view');
  state.cleanup?.();
  state.cleanup = null;
  try {
    const cleanup = await sections[section](view, parts.slice(1), { who: state.who });
    if (seq === routeSeq) {
      state.cleanup = cleanup || null;
    } else {
      cleanup?.();
    }
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      showError(err);
    }
  }
}

window.addEventListener('hashchange', route);

async function start() {
  const saved = token();
  if (!saved) {
    showSignIn('');
  } else {
    try {
      await signedIn(await whoami(saved));
    } catch (err) {
      setToken(null);
      showSignIn(tokenMessage(err));
    }
  }
  performance.mark('edge-admin-ready');
  document.documentElement.dataset.ready = 'true';
}

start();
