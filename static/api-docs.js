// Lists the API from its OpenAPI document: every operation with its parameters, body and
// answers. Plain DOM and textContent only (the CSP allows no inline code, and nothing from
// the document is ever parsed as HTML).
(function () {
  "use strict";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function schemaName(schema) {
    if (!schema) { return ""; }
    if (schema.$ref) { return schema.$ref.split("/").pop(); }
    if (schema.type === "array" && schema.items) { return "list of " + schemaName(schema.items); }
    return schema.type || "";
  }

  function describeSchema(name, schema) {
    var section = el("section");
    section.id = "schema-" + name;
    section.appendChild(el("h3", name));
    var list = el("dl");
    Object.keys(schema.properties || {}).forEach(function (field) {
      var property = schema.properties[field];
      var kinds = property.anyOf ? property.anyOf.map(schemaName).join(" or ") : schemaName(property);
      list.appendChild(el("dt", field + (kinds ? " (" + kinds + ")" : "")));
      list.appendChild(el("dd", property.description || property.title || ""));
    });
    section.appendChild(list);
    return section;
  }

  function render(root, doc) {
    root.textContent = "";
    root.appendChild(el("p", doc.info.description || ""));
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var section = el("section", null, "api-operation");
        section.appendChild(el("h2", method.toUpperCase() + " " + path));
        section.appendChild(el("p", op.summary || ""));
        if (op.description) { section.appendChild(el("p", op.description)); }
        (op.parameters || []).forEach(function (parameter) {
          section.appendChild(el("p", "Parameter " + parameter.name + " (in " + parameter.in + ", " +
            schemaName(parameter.schema) + (parameter.required ? ", required" : "") + ")"));
        });
        if (op.requestBody) {
          var body = op.requestBody.content["application/json"];
          section.appendChild(el("p", "Body: " + schemaName(body && body.schema)));
        }
        var answers = el("ul");
        Object.keys(op.responses || {}).forEach(function (status) {
          var answer = op.responses[status];
          var media = Object.keys(answer.content || {})[0];
          var text = status + " " + (answer.description || "");
          if (media) { text += " — " + media + " " + schemaName(answer.content[media].schema); }
          answers.appendChild(el("li", text));
        });
        section.appendChild(answers);
        root.appendChild(section);
      });
    });
    root.appendChild(el("h2", "Schemas"));
    var schemas = (doc.components && doc.components.schemas) || {};
    Object.keys(schemas).forEach(function (name) {
      root.appendChild(describeSchema(name, schemas[name]));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("api-docs");
    if (!root) { return; }
    fetch(root.getAttribute("data-spec"), { credentials: "omit" })
      .then(function (response) { return response.json(); })
      .then(function (doc) { render(root, doc); })
      .catch(function () { root.textContent = "The document could not be loaded."; });
  });
}());
