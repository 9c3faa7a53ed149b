Feature: Presence of gateway contacts and of unknown addresses
  Guide, "Calling out to other (non-Skype for Business / Lync) endpoints": "As with VMRs, if
  the address is valid, the contact's presence should show as Available. By default, the picture
  (avatar) used to represent the contact is the Pexip logo [...] A presence of Available means
  that the Pexip Distributed Gateway recognizes the endpoint address and knows how to contact
  the endpoint. It does not necessarily mean that the endpoint itself is registered/signed in and
  is available to be called. If the presence status is not Available, e.g. it displays as
  Presence unknown, you should first check that you have entered the endpoint address correctly,
  and then check that your administrator has enabled direct calling to that address."

  Background:
    Given Parley runs the demo configuration
    And Bob uses Skype for Business

  Scenario: An address the gateway can reach shows as Available with the default picture
    When Bob adds room1@rooms.example.com to his contacts
    Then Bob sees room1@rooms.example.com as Available
    And Bob sees room1@rooms.example.com with the default picture

  Scenario: Available means the gateway knows the way, not that the endpoint is there
    When Bob adds switched-off-room@rooms.example.com to his contacts
    Then Bob sees switched-off-room@rooms.example.com as Available

  Scenario Outline: Addresses no rule reaches show Presence unknown
    When Bob adds <address> to his contacts
    Then Bob sees <address> as Presence unknown

    Examples:
      | address                    |
      | room1@roms.example.com     |
      | room1@rooms.example.com.au |
      | someone@elsewhere.net      |

  Scenario Outline: Only an enabled rule that takes calls from Skype for Business makes a contact Available
    Given the gateway rule "Studios":
      | priority          | 50                        |
      | match_string      | (.+)@studios\.example\.com |
      | outgoing_protocol | sip                       |
      | <setting>         | <value>                   |
    When Bob adds studio1@studios.example.com to his contacts
    Then Bob sees studio1@studios.example.com as <presence>

    Examples:
      | setting                           | value | presence         |
      | enable                            | true  | Available        |
      | enable                            | false | Presence unknown |
      | match_incoming_mssip              | false | Presence unknown |
      | match_incoming_sip                | false | Available        |
      | match_incoming_calls              | false | Presence unknown |
      | match_incoming_only_if_registered | true  | Presence unknown |

  Scenario: Disabling a rule tells the people watching
    Given Bob adds room1@rooms.example.com to his contacts
    When the administrator disables the gateway rule "Rooms"
    Then Bob sees room1@rooms.example.com as Presence unknown

  Scenario: Enabling a rule tells the people watching
    Given the administrator disables the gateway rule "Rooms"
    And Bob adds room1@rooms.example.com to his contacts
    When the administrator enables the gateway rule "Rooms"
    Then Bob sees room1@rooms.example.com as Available
