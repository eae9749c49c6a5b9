// Boots GraphiQL from the globals of the UMD bundles loaded before this file (React, ReactDOM, GraphiQL).
(function startPlayground() {
  const settings = JSON.parse(document.getElementById('playground-settings').textContent);
  const fetcher = GraphiQL.createFetcher({ url: new URL(settings.graphqlPath, window.location.href).toString() });
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
