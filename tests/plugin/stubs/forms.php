<?php
/*
 * forms.php - how osTicket 1.18.1 builds, shows, reads and stores a
 * plugin instance's settings form, cut down to the path the deskpilot
 * plugin's form takes. Each class keeps the names and the logic of its
 * original for that path: include/class.forms.php (Form, SimpleForm,
 * FormField and the fields and widgets used), include/class.config.php
 * (Config), include/class.plugin.php (PluginConfig, Plugin,
 * PluginInstance, PluginManager::bootstrap) and scp/plugins.php with
 * include/staff/templates/plugin-instance.tmpl.php and simple-form.tmpl.php
 * (the admin pages, as OstAdmin below). Nothing here is osTicket code.
 *
 * What matters for the plugin: a field without an 'id' gets one from a
 * counter (FormField::_uid) that starts afresh in every PHP request and
 * counts every field built before it; a checkbox posts its field's id; and
 * the request that saves "Add New Instance" builds the form more times
 * than the page that showed it.
 */

class FieldUnchanged extends Exception {}

/* ---- include/class.forms.php ------------------------------------------ */

class Form {
    static $id = 0;
    var $options = array();
    var $fields = array();
    var $title = '';
    var $notice = '';
    var $instructions = '';
    var $validators = array();
    var $_errors = null;
    var $_source = false;
    var $_clean = null;

    function __construct($source = null, $options = array()) {
        $this->options = $options;
        foreach (array('title', 'instructions', 'notice') as $k)
            if (isset($options[$k]))
                $this->$k = $options[$k];
        // Use POST data if source was not specified
        $this->_source = $source ?: $_POST;
    }

    function getFormId() { return @$this->id ?: static::$id; }

    function data($source) {
        foreach ($this->fields as $name => $f)
            if (isset($source[$name]))
                $f->value = $source[$name];
    }

    function setFields($fields) {
        $this->fields = $fields;
        foreach ($fields as $k => $f) {
            $f->setForm($this);
            if (!$f->get('name') && $k && !is_numeric($k))
                $f->set('name', $k);
        }
    }

    function getFields() { return $this->fields; }

    function getField($name) {
        foreach ($this->getFields() as $f)
            if (!strcasecmp($f->get('name'), $name))
                return $f;
        return $this->fields[$name] ?? null;
    }

    function getTitle() { return $this->title; }
    function getNotice() { return $this->notice; }
    function getInstructions() { return $this->instructions; }
    function getSource() { return $this->_source; }

    function isValid() {
        if (!isset($this->_errors)) {
            $this->_errors = array();
            $this->validate($this->getClean());
            foreach ($this->getFields() as $field)
                if ($field->errors())
                    $this->_errors[$field->get('id')] = $field->errors();
        }
        return !$this->_errors;
    }

    function validate($clean_data) {
        foreach ($this->validators as $V)
            $V($this);
    }

    function getClean($validate = true) {
        if (!$this->_clean) {
            $this->_clean = array();
            foreach ($this->getFields() as $key => $field) {
                if (!$field->hasData())
                    continue;
                if (is_int($key) && $field->get('id'))
                    $key = $field->get('id');
                $this->_clean[$key] = $this->_clean[$field->get('name')]
                    = $field->getClean($validate);
            }
            unset($this->_clean[""]);
        }
        return $this->_clean;
    }

    function to_db($clean = null, $validate = true) {
        if (!$clean && !$this->isValid()
                && !($clean = $this->getClean($validate)))
            return false;
        $data = array();
        foreach ($clean as $name => $val) {
            if (!($f = $this->getField($name)))
                continue;
            try {
                $data[$name] = $f->to_database($val);
            } catch (FieldUnchanged $e) {
                unset($data[$name]);
            }
        }
        return $data;
    }

    function addError($message, $index = false) {
        if ($index)
            $this->_errors[$index] = $message;
        else
            $this->_errors['form'][] = $message;
    }
}

class SimpleForm extends Form {
    function __construct($fields = array(), $source = null, $options = array()) {
        parent::__construct($source, $options);
        $this->setFields($fields);
    }
}

class FormField {
    static $widget = false;
    static $uid = null;
    var $ht = array('label' => false, 'required' => false, 'default' => false,
        'configuration' => array());
    var $_form;
    var $_clean;
    var $_errors = array();
    var $_widget;
    var $answer;
    var $value;

    static function _uid() { return ++self::$uid; }

    function __construct($options = array()) {
        $this->ht = array_merge($this->ht, $options);
        if (!isset($this->ht['id']))
            $this->ht['id'] = self::_uid();
    }

    function get($what, $default = null) {
        return array_key_exists($what, $this->ht) ? $this->ht[$what] : $default;
    }
    function set($field, $value) { $this->ht[$field] = $value; }
    function getId() { return $this->ht['id']; }
    function getAnswer() { return $this->answer; }
    function setForm($form) { $this->_form = $form; }
    function getForm() { return $this->_form; }
    function getConfiguration() { return $this->get('configuration') ?: array(); }
    function hasData() { return true; }
    function isVisible() { return true; }
    function isBlockLevel() { return false; }
    function errors() { return $this->_errors; }

    function getSource() {
        if ($this->_form)
            return $this->_form->getSource();
        return $_SERVER['REQUEST_METHOD'] == 'POST' ? $_POST : array();
    }

    /* Named after the form id, the field's name and the session, so the
     * same field has the same input name on every request of a session. */
    function getFormName() {
        $default = $this->get('name') ?: $this->get('id');
        if ($this->_form && is_numeric($fid = $this->_form->getFormId()))
            return substr(md5("session-form-field-id-$fid-$default-salt"), -14);
        return substr(md5('session-field-id-' . $this->get('id') . '-salt'), -16);
    }

    function getFormNames() {
        return array_filter(array('hash' => $this->getFormName(),
            'name' => $this->get('name'), 'id' => $this->get('id')));
    }

    function getWidget() {
        if (!isset($this->_widget)) {
            $wc = $this->get('widget') ?: static::$widget;
            $this->_widget = new $wc($this);
            $this->_widget->parseValue();
        }
        return $this->_widget;
    }

    function getValue() { return $this->getWidget()->getValue(); }

    function getClean($validate = true) {
        if (!isset($this->_clean)) {
            $this->_clean = isset($this->value) ? $this->value
                : $this->parse($this->getWidget()->value);
            if (!isset($this->_clean) && ($d = $this->get('default')))
                $this->_clean = $d;
            if ($this->isVisible() && $validate)
                $this->validateEntry($this->_clean);
        }
        return $this->_clean;
    }

    function validateEntry($value) {
        if (!$value && count($this->_errors))
            return;
        if ($this->get('required') && !$value && $this->hasData())
            $this->_errors[] = sprintf('%s is a required field',
                $this->get('label'));
        if ($vs = $this->get('validators')) {
            if (is_array($vs)) {
                foreach ($vs as $validator)
                    if (is_callable($validator))
                        $validator($this, $value);
            } elseif (is_callable($vs)) {
                $vs($this, $value);
            }
        }
    }

    function addError($message, $index = false) {
        if ($index)
            $this->_errors[$index] = $message;
        else
            $this->_errors[] = $message;
        if ($this->_form)
            $this->_form->addError($this->errors(), $this->get('id'));
    }

    function parse($value) { return is_string($value) ? trim($value) : $value; }
    function to_php($value) { return $value; }
    function to_database($value) { return $value; }
    function render() { return $this->getWidget()->render(); }
}

class TextboxField extends FormField {
    static $widget = 'TextboxWidget';
    function validateEntry($value) {
        $value = ($value === '0') ? '&#48'
            : htmlspecialchars((string) ($value ?: $this->value));
        parent::validateEntry($value);
        if ($this->get('validator') === 'number' && $value !== null
                && $value !== '' && !is_numeric($value))
            $this->_errors[] = 'Enter a number';
    }
}

/* The secret is stored encrypted ("enc:" here) and an empty submit keeps
 * the stored one. */
class PasswordField extends TextboxField {
    static $widget = 'PasswordWidget';
    function parse($value) { return $value; }
    function to_database($value) {
        if (!$value)
            throw new FieldUnchanged();
        return 'enc:' . $value;
    }
    function to_php($value) {
        return strncmp((string) $value, 'enc:', 4) === 0
            ? substr($value, 4) : null;
    }
}

class ChoiceField extends FormField {
    static $widget = 'ChoicesWidget';
    function getChoices() { return $this->get('choices') ?: array(); }
    function parse($value) { return $this->to_php($value ?: null); }
    function to_database($value) {
        if (!is_array($value)) {
            $choices = $this->getChoices();
            if (isset($choices[$value]))
                $value = array($value => $choices[$value]);
        }
        return is_array($value) ? json_encode($value) : $value;
    }
    function to_php($value) {
        if (is_string($value))
            $value = json_decode($value, true) ?: $value;
        if (is_array($value) && count($value) < 2) {
            reset($value);
            $value = key($value);
        }
        return $value;
    }
}

class BooleanField extends FormField {
    static $widget = 'CheckboxWidget';
    function to_database($value) { return $value ? '1' : '0'; }
    function parse($value) { return $this->to_php($value); }
    function to_php($value) { return $value ? true : false; }
    function getClean($validate = true) {
        if (!isset($this->_clean)) {
            $this->_clean = isset($this->value) ? $this->value
                : $this->getValue();
            if ($this->isVisible() && $validate)
                $this->validateEntry($this->_clean);
        }
        return $this->_clean;
    }
}

class SectionBreakField extends FormField {
    static $widget = 'SectionBreakWidget';
    function hasData() { return false; }
    function isBlockLevel() { return true; }
}

class Widget {
    var $field, $name, $id, $value;

    function __construct($field) {
        $this->field = $field;
        $this->name = $field->getFormName();
        $this->id = '_' . $this->name;
    }

    function parseValue() {
        $this->value = $this->getValue();
        if (!isset($this->value) && is_object($this->field->getAnswer()))
            $this->value = $this->field->getAnswer()->getValue();
        if (!isset($this->value) && isset($this->field->value))
            $this->value = $this->field->value;
    }

    function getValue() {
        $data = $this->field->getSource();
        foreach ($this->field->getFormNames() as $name)
            if (isset($data[$name]))
                return $data[$name];
        return null;
    }
}

class TextboxWidget extends Widget {
    static $input_type = 'text';
    function render() {
        return sprintf('<input type="%s" id="%s" name="%s" value="%s"/>',
            static::$input_type, $this->id, $this->name,
            htmlspecialchars((string) $this->value));
    }
}

class PasswordWidget extends TextboxWidget {
    static $input_type = 'password';
    function render() {
        // The stored secret is never shown.
        return sprintf('<input type="password" id="%s" name="%s" value=""/>',
            $this->id, $this->name);
    }
}

class ChoicesWidget extends Widget {
    function render() {
        $values = $this->value;
        if (!is_array($values) && isset($values))
            $values = array($values => true);
        if (!is_array($values)) {
            $def = $this->field->get('default');
            $values = $def ? array($def => true) : array();
        }
        $html = sprintf('<select name="%s[]" id="%s">', $this->name, $this->id);
        foreach ($this->field->getChoices() as $k => $v)
            $html .= sprintf('<option value="%s"%s>%s</option>', $k,
                isset($values[$k]) ? ' selected="selected"' : '', $v);
        return $html . '</select>';
    }

    function getValue() {
        if (!($value = parent::getValue()))
            return null;
        if (!is_array($value))
            $value = array($value);
        $values = array();
        $choices = $this->field->getChoices();
        foreach ($value as $v)
            if (isset($choices[$v]))
                $values[$v] = $choices[$v];
        return $values;
    }
}

class CheckboxWidget extends Widget {
    function __construct($field) {
        parent::__construct($field);
        $this->name = '_field-checkboxes';
    }

    function render() {
        if (!isset($this->value))
            $this->value = $this->field->get('default');
        return sprintf('<input id="%s" type="checkbox" name="%s[]"%s value="%s"/>',
            $this->id, $this->name, $this->value ? ' checked="checked"' : '',
            $this->field->get('id'));
    }

    function getValue() {
        $data = $this->field->getSource();
        if (is_array($data)) {
            if (isset($data[$this->name]))
                return @in_array($this->field->get('id'), $data[$this->name]);
            if (isset($data[$this->field->get('id')]))
                return $data[$this->field->get('id')];
        }
        if (!$data && isset($this->value))
            return $this->value;
        return parent::getValue();
    }
}

class SectionBreakWidget extends Widget {
    function render() {
        return '<h3>' . htmlspecialchars((string) $this->field->get('label')) . '</h3>';
    }
}

/* ---- include/class.config.php ----------------------------------------- */

class Config {
    /* namespace => key => value: stands in for the %config table. */
    static $table = array();
    var $config = array();
    var $section = null;
    var $defaults = array();

    function __construct($section = null, $defaults = array()) {
        if ($defaults)
            $this->defaults = $defaults;
        if ($section)
            $this->section = $section;
        if ($this->section !== null)
            $this->config = self::$table[$this->section] ?? array();
    }

    function getNamespace() { return $this->section; }

    function getInfo() {
        $info = $this->defaults;
        foreach ($this->config as $key => $value)
            $info[$key] = $value;
        return $info;
    }

    function get($key, $default = null) {
        if (isset($this->config[$key]))
            return $this->config[$key];
        if (isset($this->defaults[$key]))
            return $this->defaults[$key];
        return $default;
    }

    function exists($key) {
        return array_key_exists($key, $this->config)
            || array_key_exists($key, $this->defaults);
    }

    function updateAll($updates) {
        foreach ($updates as $key => $value) {
            self::$table[$this->section][$key] = $value;
            $this->config[$key] = $value;
        }
        return true;
    }
}

/* ---- include/class.plugin.php ----------------------------------------- */

abstract class PluginConfig extends Config {
    var $instance;
    var $form;
    var $_config = array();

    function __construct($namespace, $defaults = array()) {
        parent::__construct($namespace, $defaults);
        $this->_config = array();
        foreach ($this->getOptions() as $name => $field) {
            if ($this->exists($name)) {
                $val = $this->get($name);
                $this->_config[$name] = $field->to_php($val);
            } elseif (($default = $field->get('default'))) {
                $this->_config[$name] = $default;
            }
        }
    }

    function get($key, $default = null) {
        if (isset($this->_config[$key]))
            return $this->_config[$key];
        return parent::get($key, $default);
    }

    function getOptions() { return array(); }
    function getFields() { return $this->getOptions(); }
    function getFormOptions() { return array(); }
    function getInfo() { return array_merge(parent::getInfo(), $this->_config); }
    function setInstance($i = null) { $this->instance = $i; }

    function getForm($vars = array()) {
        if (!isset($this->form)) {
            $this->form = new SimpleForm($this->getFields(), null,
                $this->getFormOptions());
            if ($_SERVER['REQUEST_METHOD'] != 'POST')
                $this->form->data(array_merge($vars ?: array(),
                    $this->getInfo()));
            elseif ($vars)
                $this->form->data($vars);
        }
        return $this->form;
    }

    function store($form = null, &$errors = array()) {
        try {
            $form = $form ?: $this->getForm();
            if (($clean = $form->getClean())
                    && $this->pre_save($clean, $errors)
                    && count($errors) === 0
                    && ($data = $form->to_db($clean)))
                return $this->updateAll($data);
        } catch (Throwable $t) {
            if (!isset($errors['err']))
                $errors['err'] = $t->getMessage();
        }
        return false;
    }

    function pre_save(&$config, &$errors) { return true; }
}

class Plugin {
    /* The installed plugin's rows: its instances (stands in for the
     * %plugin_instance table). */
    var $id = 1;
    var $instances = array();
    var $config;
    var $form;
    var $config_class = null;

    function getId() { return $this->id; }
    function getConfigClass() { return $this->config_class; }
    function enable() { return true; }

    function getConfig($instance = null, $defaults = array()) {
        if ((!isset($this->config) || $instance)
                && ($class = $this->getConfigClass())) {
            if ($instance)
                $this->config = $instance->getConfig($defaults);
            else
                $this->config = new $class(null, $defaults);
        }
        return $this->config;
    }

    function getConfigForm($vars = null) {
        if (!isset($this->form) || $vars)
            $this->form = $this->getConfig(null, $vars)->getForm($vars);
        return $this->form;
    }

    function getInstance($id) {
        foreach ($this->instances as $i)
            if ($i->getId() == $id)
                return $i;
        return null;
    }

    function isInstanceUnique($vars, $id = 0) {
        foreach ($this->instances as $i)
            if ($i->name === $vars['name'] && $i->getId() != $id)
                return false;
        return true;
    }

    function addInstance($vars, &$errors) {
        $form = $this->getConfigForm($vars);
        if (!$vars['name'])
            $errors['name'] = 'Name Required';
        elseif (!$this->isInstanceUnique($vars))
            $errors['name'] = 'Name already in use';
        if ($form->isValid() && !$errors) {
            $i = PluginInstance::create(array('name' => $vars['name'],
                'plugin' => $this, 'flags' => 0));
            if ($i->save()) {
                $this->config = null;
                $i->update($vars, $errors);
                return $i;
            }
        }
        return false;
    }
}

class PluginInstance {
    const FLAG_ENABLED = 0x0001;
    static $nextId = 1;
    var $id = 0, $name, $plugin, $flags = 0;
    var $_config, $_form;

    static function create($vars) {
        $i = new static();
        foreach ($vars as $k => $v)
            $i->$k = $v;
        return $i;
    }

    function save() {
        if (!$this->id) {
            $this->id = self::$nextId++;
            $this->plugin->instances[] = $this;
        }
        return true;
    }

    function getId() { return $this->id; }
    function getPluginId() { return $this->plugin->getId(); }
    function isEnabled() { return ($this->flags & self::FLAG_ENABLED) !== 0; }

    function getNamespace() {
        return sprintf('plugin.%d.instance.%d', $this->getPluginId(),
            $this->getId() ?: 0);
    }

    function getConfig($defaults = array()) {
        $class = $this->plugin->getConfigClass();
        if (!isset($this->_config) && $class) {
            $this->_config = new $class($this->getNamespace(), $defaults);
            $this->_config->setInstance($this);
        }
        return $this->_config;
    }

    function getForm($vars = null) {
        if (!isset($this->_form) || $vars)
            $this->_form = $this->getConfig()->getForm($vars);
        return $this->_form;
    }

    function update($vars, &$errors) {
        if (!$vars['name'])
            $errors['name'] = 'Name Required';
        $form = $this->getForm($vars);
        if ($form->isValid()
                && $this->getConfig()->store($form, $errors)
                && !$errors) {
            $this->flags = $vars['isactive'] ? self::FLAG_ENABLED : 0;
            $this->name = $vars['name'];
            return $this->save();
        }
        return false;
    }

    function bootstrap() {
        if ($this->isEnabled() && $this->plugin->getConfig($this))
            return $this->plugin->bootstrap();
    }
}

/* ---- the admin pages: scp/plugins.php and its templates --------------- */

class OstAdmin {
    /* A new PHP request: the field counter starts afresh, nothing static
     * survives, and PluginManager::bootstrap() runs first, as
     * osTicket::start() does on every page. */
    static function request($plugin, $method, array $post = array()) {
        FormField::$uid = null;
        DeskpilotPlugin::$settings = null;
        Signal::$handlers = array();
        $_SERVER['REQUEST_METHOD'] = $method;
        $_POST = $post;
        $plugin->form = null;
        foreach ($plugin->instances as $i) {
            $i->_config = $i->_form = null;
            $i->bootstrap();
        }
        $plugin->config = null;
    }

    /* GET plugins.php?id=1&a=add-instance, or &xid=N: the page's form. */
    static function instancePage($plugin, $instance = null, $errors = array()) {
        if ($instance)
            return $instance->getForm();
        $info = ($errors && $_POST) ? $_POST : array();
        return $plugin->getConfigForm($info);
    }

    /* POST do=add-instance. Returns array(instance or null, errors, the
     * form shown on the page that follows). */
    static function addInstance($plugin, array $post) {
        self::request($plugin, 'POST', $post);
        $errors = array();
        $i = $plugin->addInstance($post, $errors);
        if (!$i && empty($errors['err']))
            $errors['err'] = 'Unable to add Plugin Instance.';
        return array($i ?: null, $errors,
            self::instancePage($plugin, $i ?: null, $errors));
    }

    /* POST do=update-instance. */
    static function updateInstance($plugin, $instance, array $post) {
        self::request($plugin, 'POST', $post);
        $instance = $plugin->getInstance($instance->getId());
        $errors = array();
        if (!$instance->update($post, $errors) && empty($errors['err']))
            $errors['err'] = 'Unable to update Plugin Instance.';
        return array($errors, self::instancePage($plugin, $instance, $errors));
    }

    /* simple-form.tmpl.php: the form as HTML. */
    static function render($form) {
        $html = '';
        if ($form->getTitle())
            $html .= sprintf('<h1><strong>%s</strong>: <div><small>%s</small></div></h1>',
                htmlspecialchars($form->getTitle()),
                htmlspecialchars($form->getInstructions()));
        if ($form->getNotice())
            $html .= sprintf('<div><p id="msg_warning">%s</p></div>',
                htmlspecialchars($form->getNotice()));
        foreach ($form->getFields() as $field) {
            $html .= sprintf('<div class="form-field" data-label="%s">%s',
                htmlspecialchars((string) $field->get('label')), $field->render());
            foreach ($field->errors() as $e)
                $html .= sprintf('<div class="error">%s</div>', htmlspecialchars($e));
            $html .= "</div>\n";
        }
        return $html;
    }

    /* What a browser posts for that HTML with $typed typed into the fields
     * labelled so and the boxes in $untick unticked: text inputs by name,
     * ticked checkboxes under _field-checkboxes[], selected options. */
    static function submit($html, array $typed, array $untick = array()) {
        $post = array('_field-checkboxes' => array());
        preg_match_all('/<div class="form-field" data-label="([^"]*)">(.*?)<\/div>\n/s',
            $html, $fields, PREG_SET_ORDER);
        foreach ($fields as $f) {
            $label = html_entity_decode($f[1]);
            if (preg_match('/<input type="(?:text|password)" id="[^"]*" name="([^"]+)" value="([^"]*)"/', $f[2], $m))
                $post[$m[1]] = $typed[$label] ?? html_entity_decode($m[2]);
            elseif (preg_match('/<input id="[^"]*" type="checkbox" name="_field-checkboxes\[\]"( checked="checked")? value="([^"]*)"/', $f[2], $m)) {
                if ($m[1] && !in_array($label, $untick, true))
                    $post['_field-checkboxes'][] = $m[2];
            } elseif (preg_match('/<select name="([^"]+)\[\]".*?<option value="([^"]*)" selected/s', $f[2], $m))
                $post[$m[1]] = array($typed[$label] ?? $m[2]);
        }
        if (!$post['_field-checkboxes'])
            unset($post['_field-checkboxes']);
        return $post;
    }
}
