// Boots GraphiQL from the globals of the UMD bundles loaded before this file (React, ReactDOM, GraphiQL).
(function startPlayground() {
  const settings = JSON.parse(document.getElementById('playground-settings').textContent);
  const url = new URL(settings.graphqlPath, window.location.href).toString();
  const httpFetcher = GraphiQL.createFetcher({ url });
  // Subscriptions go over Server-Sent Events (graphql-sse's distinct connections mode): GraphiQL
  // shows each `next` as it comes and stops on `complete`, or when the user presses stop.
  async function* subscribeOverSse(params, options) {
    const controller = new AbortController();
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...(options && options.headers), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(params),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      yield await response.json();
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (event && event[1] === 'complete') return;
          if (event && event[1] === 'next' && data) yield JSON.parse(data[1]);
        }
      }
    } finally {
      controller.abort();
    }
  }
  const isSubscription = (params) => {
    const operations = [...params.query.matchAll(/(^|\})\s*(query|mutation|subscription)\b\s*([A-Za-z_][A-Za-z0-9_]*)?/g)];
    const chosen = params.operationName ? operations.find((match) => match[3] === params.operationName) : operations[0];
    return Boolean(chosen && chosen[2] === 'subscription');
  };
  const fetcher = (params, options) => (isSubscription(params) ? subscribeOverSse(params, options) : httpFetcher(params, options));
  const root = ReactDOM.createRoot(document.getElementById('playground'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: settings.defaultQuery,
      defaultHeaders: settings.defaultHeaders,
      // Open on the headers tab: that is where `Authorization: Bearer <accessToken>` goes.
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    }),
  );
})();
