// cotraining's service worker (hand-written, served by cotraining.views.service_worker).
// It keeps the facilitator's attendance pages (the list, the sheets) and the files they need,
// so that a sheet opens without a connection: each is fetched from the network first and the
// copy is used only when the network fails. Nothing else is kept: the other pages say, without
// a connection, that they are not available offline. The taps themselves are kept in IndexedDB
// by offline.js and sent by it, or from here by Background Sync when the page is closed.
"use strict";

const CONFIG = {{ config|safe }};

importScripts(CONFIG.scripts.idb, CONFIG.scripts.queue);

const KEPT_PAGES = new RegExp(CONFIG.pages);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CONFIG.cache)
      .then(function (cache) {
        return cache.addAll(CONFIG.assets);
      })
      .then(function () {
        return self.skipWaiting();
      }),
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) {
              return key.indexOf("cotraining-") === 0 && key !== CONFIG.cache;
            })
            .map(function (key) {
              return caches.delete(key);
            }),
        );
      })
      .then(function () {
        return self.clients.claim();
      }),
  );
});

function keyOf(url, isPage) {
  // A sheet is one copy whatever its grouping (?group=…): the last one seen.
  return isPage ? url.origin + url.pathname : url.href;
}

function fromNetwork(request, url, isPage) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === "basic" && !response.redirected) {
      const copy = response.clone();
      caches.open(CONFIG.cache).then(function (cache) {
        return cache.put(keyOf(url, isPage), copy);
      });
    }
    return response;
  });
}

function notAvailable() {
  return new Response(CONFIG.fallback, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  const isPage = KEPT_PAGES.test(url.pathname);
  const isAsset = url.pathname.indexOf(CONFIG.static) === 0;
  if (!isPage && !isAsset) {
    if (request.mode === "navigate") {
      event.respondWith(fetch(request).catch(notAvailable));
    }
    return;
  }
  event.respondWith(
    fromNetwork(request, url, isPage).catch(function (error) {
      return caches.match(keyOf(url, isPage)).then(function (copy) {
        if (copy) {
          return copy;
        }
        if (request.mode === "navigate") {
          return notAvailable();
        }
        throw error;
      });
    }),
  );
});

// Background Sync: the connection is back. An open page sends its changes itself (it shows
// the answers): ask it to. With no page open, send them from here; the next page opened shows
// the lines as saved, or the refused ones (kept as conflicts).
self.addEventListener("sync", function (event) {
  if (event.tag !== "attendance") {
    return;
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then(function (windows) {
      if (windows.length) {
        windows.forEach(function (client) {
          client.postMessage({ type: "attendance-sync-now" });
        });
        return null;
      }
      return self.cotrainingQueue.flush();
    }),
  );
});
